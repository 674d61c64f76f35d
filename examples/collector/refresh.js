// The dashboard's reloads: at most one in flight and at most one pending, however often the
// auto-refresh timer or a control asks (a reload of a huge space can outlast the timer's period).

/**
 * Wraps `run(arg)` so that calls never overlap and never pile up: a call while a run is in flight
 * becomes the one pending run (later calls join it, `merge` folding their arguments), which starts
 * when the current run settles. Every caller's promise settles with the run that covered it.
 * @template A, R
 * @param {(arg: A) => Promise<R> | R} run
 * @param {(pending: A, next: A) => A} [merge] default: the latest defined argument wins
 * @returns {(arg: A) => Promise<R>}
 */
export function coalesce(run, merge = (pending, next) => (next === undefined ? pending : next)) {
  let running = false;
  /** @type {{ arg: A, promise: Promise<R>, settle: (p: Promise<R>) => void } | null} */
  let pending = null;
  const start = (arg) => {
    running = true;
    const done = new Promise((ok) => ok(run(arg))); // starts now; a throw rejects
    done.then(next, next);
    return done;
  };
  function next() {
    running = false;
    if (!pending) return;
    const p = pending;
    pending = null;
    p.settle(start(p.arg));
  }
  return (arg) => {
    if (!running) return start(arg);
    if (pending) {
      pending.arg = merge(pending.arg, arg);
      return pending.promise;
    }
    let settle;
    const promise = new Promise((ok) => (settle = ok));
    pending = { arg, promise, settle };
    return promise;
  };
}
