// Loaded before cohortkit: wraps window.fetch (and navigator.sendBeacon, which cohortkit never uses)
// so the network panel can list every request this page makes, with the body exactly as sent.
(function () {
  var log = (window.demoNetLog = []);
  var emit = function (entry) {
    log.push(entry);
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
        window.dispatchEvent(new CustomEvent('demo:net', { detail: entry }));
        return res;
      },
      function (err) {
        entry.status = 'failed';
        window.dispatchEvent(new CustomEvent('demo:net', { detail: entry }));
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
