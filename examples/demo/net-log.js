// Loaded before cohortkit: wraps window.fetch (and navigator.sendBeacon, which cohortkit never uses)
// so the network panel can list every request this page makes, with the body exactly as sent.
// The log is kept in sessionStorage (bounded: the last MAX entries, bodies cut at MAX_BODY chars), so
// after a reload the panel still lists the reports whose ε the privacy panel shows as spent.
(function () {
  var KEY = 'demo:net-log', MAX = 50, MAX_BODY = 4000;
  var str = function (v, n) { return typeof v === 'string' ? v.slice(0, n) : ''; };
  /** A stored entry as we wrote it, or null (the tab's storage is not trusted to be well-formed). */
  var clean = function (e) {
    if (!e || typeof e !== 'object' || typeof e.at !== 'number' || !isFinite(e.at)) return null;
    var o = e.options && typeof e.options === 'object' ? e.options : {};
    var status = typeof e.status === 'number' || typeof e.status === 'string' ? e.status : 'unknown';
    return {
      at: e.at,
      via: e.via === 'sendBeacon' ? 'sendBeacon' : 'fetch',
      method: str(e.method, 16) || 'GET',
      url: str(e.url, 2000),
      body: str(e.body, MAX_BODY),
      options: { credentials: str(o.credentials, 20) || undefined, referrerPolicy: str(o.referrerPolicy, 40) || undefined, keepalive: o.keepalive === true },
      // A request still pending when the page went away: its answer was never seen.
      status: status === 'pending' ? 'unknown (page reloaded)' : String(status).slice(0, 40),
      restored: true,
    };
  };
  var restore = function () {
    try {
      var v = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      return Array.isArray(v) ? v.slice(-MAX).map(clean).filter(Boolean) : [];
    } catch (e) {
      return [];
    }
  };
  var log = (window.demoNetLog = restore());
  var save = function () {
    try {
      if (log.length > MAX) log.splice(0, log.length - MAX);
      sessionStorage.setItem(KEY, JSON.stringify(log.map(function (e) {
        return { at: e.at, via: e.via, method: e.method, url: e.url, body: str(e.body, MAX_BODY), options: e.options, status: e.status };
      })));
    } catch (e) {
      /* storage full or blocked: the panel keeps this page's entries only */
    }
  };
  var emit = function (entry) {
    log.push(entry);
    save();
    window.dispatchEvent(new CustomEvent('demo:net', { detail: entry }));
  };
  var update = function (entry) {
    save();
    window.dispatchEvent(new CustomEvent('demo:net', { detail: entry }));
  };
  var realFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var req = input instanceof Request ? input : null;
    // The demo's own QA routes (e.g. /qa/clock) are not cohortkit traffic: not listed.
    if (/^\/qa\/|\/\/[^/]+\/qa\//.test(String(req ? req.url : input))) return realFetch(input, init);
    var o = init || {};
    var entry = {
      at: Date.now(),
      via: 'fetch',
      method: (o.method || (req && req.method) || 'GET').toUpperCase(),
      url: String(req ? req.url : input),
      body: typeof o.body === 'string' ? o.body : o.body == null ? '' : '[' + Object.prototype.toString.call(o.body) + ']',
      options: { credentials: o.credentials, referrerPolicy: o.referrerPolicy, keepalive: o.keepalive },
      status: 'pending',
    };
    emit(entry);
    return realFetch(input, init).then(
      function (res) {
        entry.status = res.status;
        update(entry);
        return res;
      },
      function (err) {
        entry.status = 'failed';
        update(entry);
        throw err;
      },
    );
  };
  if (navigator.sendBeacon) {
    var realBeacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, data) {
      emit({ at: Date.now(), via: 'sendBeacon', method: 'POST', url: String(url), body: String(data), status: 'sent' });
      return realBeacon(url, data);
    };
  }
})();
