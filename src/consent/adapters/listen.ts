import { CohortkitError } from '../../errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CMPFn = (...args: any[]) => unknown;

/**
 * The listener lifecycle every CMP adapter shares: find the CMP's global, register one listener,
 * learn its id (from an event or the registration), and remove it on disconnect — also when the
 * CMP answers only later, and always through the current global (a CMP replaces its stub on
 * load). `onEvent` runs for each event while connected. Faults go to `onError`, never to the page.
 */
export function listenToCMP<E>(o: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  win: any;
  name: '__tcfapi' | '__gpp';
  /** Message when the global is missing, e.g. `interop.tcf: window.__tcfapi is missing (…)`. */
  missing: string;
  add(api: CMPFn, listener: (evt: E | null, success: boolean) => void): unknown;
  remove(api: CMPFn, id: number): void;
  onEvent(evt: E | null, success: boolean): void;
  onError?: (e: unknown) => void;
}): () => void {
  // A CMP's own fault (a throwing call, an answer whose getters throw) is named as its adapter's.
  const fail = (e: unknown) => {
    try {
      if (o.onError) o.onError(e instanceof CohortkitError ? e : new CohortkitError('interop', `${o.missing.split(':')[0]}: the CMP failed (${e})`, e));
    } catch {
      /* a throwing onError must not reach the host page */
    }
  };
  const api = o.win && o.win[o.name];
  if (typeof api !== 'function') {
    fail(new CohortkitError('invalid-options', o.missing));
    return () => {};
  }
  const idOf = (x: unknown) => (x && typeof x === 'object' && typeof (x as { listenerId?: unknown }).listenerId === 'number' ? (x as { listenerId: number }).listenerId : undefined);
  let id: number | undefined;
  let closed = false;
  let removed = false;
  const remove = () => {
    if (removed || id === undefined) return;
    removed = true;
    try {
      o.remove(o.win[o.name], id);
    } catch (e) {
      fail(e);
    }
  };
  const listener = (evt: E | null, success: boolean) => {
    try {
      id = idOf(evt) ?? id;
      if (closed) return remove();
      o.onEvent(evt, success);
    } catch (e) {
      fail(e);
    }
  };
  try {
    // The IAB GPP stub answers with the registration (and calls back only once the CMP loads).
    id ??= idOf(o.add(api, listener));
  } catch (e) {
    fail(e);
    return () => {};
  }
  return () => {
    closed = true;
    remove();
  };
}
