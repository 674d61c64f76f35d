// Records page errors in every engine, including those whose driver cannot report them
// (WebKitWebDriver has no log or event API): uncaught errors, unhandled rejections,
// console.error and CSP violations. Read with `window.__ckProbe`.
(function () {
  var seen = (window.__ckProbe = []);
  var add = function (kind, text) {
    seen.push(kind + ': ' + text);
  };
  addEventListener('error', function (e) {
    add('pageerror', (e.error && e.error.message) || e.message);
  });
  addEventListener('unhandledrejection', function (e) {
    add('unhandledrejection', String(e.reason && e.reason.message ? e.reason.message : e.reason));
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    add('csp', e.violatedDirective + ' blocked ' + e.blockedURI);
  });
  var error = console.error;
  console.error = function () {
    add('console', Array.prototype.map.call(arguments, String).join(' '));
    return error.apply(console, arguments);
  };
})();
