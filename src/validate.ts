// The shared validation kit: reads that survive hostile getters and proxies, and errors whose
// message starts with the path (`segments[0].rule.within: expected …`). Ships in the browser
// bundle, so it is kept small: options validators use the default code, argument validators
// (track, decide) pass 'invalid-argument'.
import { CohortkitError, type CohortkitErrorCode } from './errors';

export type Obj = Record<string, unknown>;
type Code = CohortkitErrorCode;

/** Segment, purpose, space, cohort and namespace ids. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Event names and property keys. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** A test and what it expects, e.g. `[isBoolean, 'expected a boolean']`. */
export type Check = readonly [test: (v: any) => unknown, what: string];

export const SCALAR = 'expected a string, finite number or boolean';
export const BOOL: Check = [(v) => typeof v == 'boolean', 'expected a boolean'];
export const STRING: Check = [(v) => typeof v == 'string', 'expected a string'];
/** A string that is not blank. */
export const TEXT: Check = [(v) => typeof v == 'string' && v.trim(), 'expected a non-empty string'];
export const POSITIVE_INT: Check = [(v) => Number.isInteger(v) && v > 0, 'expected a positive integer'];
/** As POSITIVE_INT, and at most 2^53 − 1 (cohort space versions, `cap.max`). */
export const SAFE_POSITIVE_INT: Check = [(v) => Number.isSafeInteger(v) && v > 0, 'expected a positive integer'];
export const NON_NEGATIVE_INT: Check = [(v) => Number.isInteger(v) && v >= 0, 'expected a non-negative integer'];
export const POSITIVE: Check = [(v) => typeof v == 'number' && v > 0 && v < Infinity, 'expected a finite number > 0'];
// Literal messages, not `${ID_PATTERN}`: a template calling toString() keeps the constants out of tree-shaking.
export const ID: Check = [(v) => typeof v == 'string' && ID_PATTERN.test(v), 'expected an id matching /^[a-z0-9][a-z0-9_-]{0,63}$/'];
export const NAME: Check = [(v) => typeof v == 'string' && NAME_PATTERN.test(v), 'expected a name matching /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/'];

/**
 * Throws `CohortkitError(code, "<path>: <what>", cause)`.
 * @param code default `invalid-options`
 */
export const fail = (path: string, what: string, code: Code = 'invalid-options', cause?: unknown): never => {
  throw new CohortkitError(code, `${path}: ${what}`, cause);
};

/** `f()`; anything it throws other than a CohortkitError becomes `<path>: could not be read` (cause kept). */
export function read<T>(f: () => T, path: string, code?: Code): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    return fail(path, 'could not be read', code, e);
  }
}

/** A plain object of any realm: its prototype is null or has no prototype. False (never throws) for hostile proxies. */
export function isPlainObject(v: unknown): v is Obj {
  try {
    const p = typeof v == 'object' && v ? Object.getPrototypeOf(v) : 0;
    return p === null || (typeof p == 'object' && Object.getPrototypeOf(p) === null);
  } catch {
    return false;
  }
}

/** A string, a finite number or a boolean. */
export const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v == 'string' || typeof v == 'boolean' || Number.isFinite(v);

/** Own enumerable keys of the plain object `v`. `path` '' is the options root (named `options`). */
export const keys = (v: unknown, path: string, code?: Code, p = path || 'options'): string[] =>
  isPlainObject(v) ? read(() => Object.keys(v), p, code) : fail(p, 'expected a plain object', code);

/**
 * Copies the plain object `v`, reading each own key once (undefined values kept).
 * @param allowed when given, any other key fails with `<path>.<key>: unknown key, expected one of …`
 */
export function obj(v: unknown, path: string, allowed?: readonly string[], code?: Code): Obj {
  const out: Obj = {};
  for (const k of keys(v, path, code)) {
    const p = path ? `${path}.${k}` : k;
    if (allowed && !allowed.includes(k)) fail(p, `unknown key, expected one of ${allowed.join(', ')}`, code);
    out[k] = read(() => (v as Obj)[k], p, code);
  }
  return out;
}

/**
 * Copies the array `v` (at least `min` items), reading each index once (`<path>[i]`) and passing it
 * through `each` before the next is read: the first bad item fails at once (a sparse array of
 * length 1e8 is not copied first).
 */
export function list<T = unknown>(v: unknown, path: string, min = 0, code?: Code, each = (x: unknown, _p: string) => x as T): T[] {
  const n = read(() => (Array.isArray(v) ? v.length : -1), path, code);
  if (n < min) fail(path, `expected a${min ? ' non-empty' : 'n'} array`, code);
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const p = `${path}[${i}]`;
    out.push(each(read(() => (v as unknown[])[i], p, code), p));
  }
  return out;
}

/** `v` for a message: its JSON, else its type. Never throws (BigInts, symbols, a throwing toJSON or getter). */
export const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
};

/** `v` if it passes `check`, else fails with `<path>: <what>`. */
export const want = <T = string>(v: unknown, [test, what]: Check, path: string, code?: Code): T =>
  test(v) ? (v as T) : fail(path, what, code);

/** `v` if it passes ID and is not yet in `seen` (then added), else fails (`duplicate id "<v>"`). */
export const newId = (seen: Set<string>, v: unknown, path: string, dupPath = path): string =>
  seen.has(want(v, ID, path)) ? fail(dupPath, `duplicate id "${v}"`) : (seen.add(v as string), v as string);

/** `[test, what]` for one of `allowed`. */
export const oneOf = (allowed: readonly string[]): Check => [(v) => allowed.includes(v), `expected one of ${allowed.join(', ')}`];
