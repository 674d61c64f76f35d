// The schema walker. Validators are declared as data — object shapes, arrays of item schemas,
// checks with defaults — and walked here, so the paths in messages come from the walk
// (`segments[2].rule.all[0].within: …`) instead of being spelled out by hand. The reads and
// messages are those of ./validate (hostile getters and proxies survive; unknown keys are named).
import type { CohortkitErrorCode } from './errors';
import { fail, list, newId, obj, show, want, type Check, type Obj } from './validate';

/**
 * A schema: validates `v` at `path` and returns what to keep (undefined leaves the key out of
 * the enclosing shape). `out` is the enclosing shape's result so far (for cross-field rules),
 * `o` its copy as read (for presence checks).
 */
export type Schema<T = any> = (v: unknown, path: string, code?: CohortkitErrorCode, out?: any, o?: Obj) => T;

/** `c` (a check or a schema) when present; absent (undefined) gives `def`. */
export const opt =
  (c: Check | Schema, def?: unknown): Schema =>
  (v, p, code, out) =>
    v === undefined ? def : typeof c == 'function' ? c(v, p, code, out) : want(v, c, p, code);

/** `c`, absent included (then its message is the error). */
export const req =
  (c: Check): Schema =>
  (v, p, code) =>
    want(v, c, p, code);

/**
 * A plain object holding only the keys of `fields` (listed as `keys` in the unknown-key message
 * when given), each key read once, then each field walked in the order of `fields` at
 * `<path>.<key>` (`<key>` at the root, path ''). `then(out, path, o)` maps the result; `o` is the
 * copy as read (for presence checks).
 */
export const shape =
  <T = Obj>(fields: Record<string, Schema>, keys?: string[] | 0, then?: (out: any, path: string, o: Obj) => T): Schema<T> =>
  (v, path, code) => {
    // Own keys only, read from a null-prototype copy: an enumerable Object.prototype.x is never a field or an option.
    const o: Obj = { __proto__: null, ...obj(v, path, keys || Object.keys(fields), code) };
    const out: Obj = {};
    for (const k of Object.keys(fields)) {
      const r = fields[k](o[k], path ? `${path}.${k}` : k, code, out, o);
      if (r !== undefined) out[k] = r;
    }
    return then ? then(out, path, o) : (out as T);
  };

/** An array of at least `min` items, each read once and walked at `<path>[i]` before the next is read. */
export const arr =
  <T>(item: Schema<T>, min?: number): Schema<T[]> =>
  (v, path, code, out) =>
    list(v, path, min, code, (x, p) => item(x, p, code, out));

/**
 * Purpose ids, each one of `declared`, deduplicated (`purposes`, `interests[i].purposes`,
 * `segments[i].purposes`); absent gives ['personalization'] if that is declared.
 */
export const purposeList =
  (declared: string[], min?: number): Schema<string[]> =>
  (v, p, code) =>
    v === undefined
      ? declared.includes('personalization')
        ? ['personalization']
        : fail(p, 'the default "personalization" is not declared')
      : [
          ...new Set(
            arr((x, q) => (typeof x == 'string' && declared.includes(x) ? x : fail(q, `expected a declared purpose, got ${show(x)}`)), min)(v, p, code),
          ),
        ];

/** An id (ID) not yet in `seen` (then added): `<path>: duplicate id "<v>"` otherwise. */
export const uniqueId =
  (seen: Set<string>): Schema<string> =>
  (v, p) =>
    newId(seen, v, p);
