import { C as CohortkitError } from './errors-Cp7kg1GW.js';

// The shared validation kit: reads that survive hostile getters and proxies, and errors whose
// message starts with the path (`segments[0].rule.within: expected …`). Ships in the browser
// bundle, so it is kept small: options validators use the default code, argument validators
// (track, decide) pass 'invalid-argument'.
/** Segment, purpose, space, cohort and namespace ids. */
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Event names and property keys. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const SCALAR = 'expected a string, finite number or boolean';
const BOOL = [(v) => typeof v == 'boolean', 'expected a boolean'];
const STRING = [(v) => typeof v == 'string', 'expected a string'];
/** A string that is not blank. */
const TEXT = [(v) => typeof v == 'string' && v.trim(), 'expected a non-empty string'];
const POSITIVE_INT = [(v) => Number.isInteger(v) && v > 0, 'expected a positive integer'];
/** As POSITIVE_INT, and at most 2^53 − 1 (cohort space versions, `cap.max`). */
const SAFE_POSITIVE_INT = [(v) => Number.isSafeInteger(v) && v > 0, 'expected a positive integer'];
const NON_NEGATIVE_INT = [(v) => Number.isInteger(v) && v >= 0, 'expected a non-negative integer'];
const POSITIVE = [(v) => typeof v == 'number' && v > 0 && v < Infinity, 'expected a finite number > 0'];
// Literal messages, not `${ID_PATTERN}`: a template calling toString() keeps the constants out of tree-shaking.
const ID = [(v) => typeof v == 'string' && ID_PATTERN.test(v), 'expected an id matching /^[a-z0-9][a-z0-9_-]{0,63}$/'];
const NAME = [(v) => typeof v == 'string' && NAME_PATTERN.test(v), 'expected a name matching /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/'];
/**
 * Throws `CohortkitError(code, "<path>: <what>", cause)`.
 * @param code default `invalid-options`
 */
const fail = (path, what, code = 'invalid-options', cause) => {
    throw new CohortkitError(code, `${path}: ${what}`, cause);
};
/** `f()`; anything it throws other than a CohortkitError becomes `<path>: could not be read` (cause kept). */
function read(f, path, code) {
    try {
        return f();
    }
    catch (e) {
        if (e instanceof CohortkitError)
            throw e;
        return fail(path, 'could not be read', code, e);
    }
}
/** A plain object of any realm: its prototype is null or has no prototype. False (never throws) for hostile proxies. */
function isPlainObject(v) {
    try {
        const p = typeof v == 'object' && v ? Object.getPrototypeOf(v) : 0;
        return p === null || (typeof p == 'object' && Object.getPrototypeOf(p) === null);
    }
    catch {
        return false;
    }
}
/** A string, a finite number or a boolean. */
const isScalar = (v) => typeof v == 'string' || typeof v == 'boolean' || Number.isFinite(v);
/** Own enumerable keys of the plain object `v`. `path` '' is the options root. */
const keys = (v, path, code) => isPlainObject(v) ? read(() => Object.keys(v), path, code) : fail(path || 'options', 'expected a plain object', code);
/**
 * Copies the plain object `v`, reading each own key once (undefined values kept).
 * @param allowed when given, any other key fails with `<path>.<key>: unknown key, expected one of …`
 */
function obj(v, path, allowed, code) {
    const out = {};
    for (const k of keys(v, path, code)) {
        const p = path ? `${path}.${k}` : k;
        if (allowed && !allowed.includes(k))
            fail(p, `unknown key, expected one of ${allowed.join(', ')}`, code);
        out[k] = read(() => v[k], p, code);
    }
    return out;
}
/** Copies the array `v` (at least `min` items), reading each index once (`<path>[i]`). */
const list = (v, path, min = 0, code) => read(() => {
    const n = Array.isArray(v) ? v.length : -1;
    if (n < min)
        fail(path, `expected a${min ? ' non-empty' : 'n'} array`, code);
    return Array.from({ length: n }, (_, i) => read(() => v[i], `${path}[${i}]`, code));
}, path, code);
/** `v` if it passes `check`, else fails with `<path>: <what>`. */
const want = (v, [test, what], path, code) => test(v) ? v : fail(path, what, code);
/** `v` if it passes ID and is not yet in `seen` (then added), else fails (`duplicate id "<v>"`). */
const newId = (seen, v, path, dupPath = path) => seen.has(want(v, ID, path)) ? fail(dupPath, `duplicate id "${v}"`) : (seen.add(v), v);
/** `[test, what]` for one of `allowed`. */
const oneOf = (allowed) => [(v) => allowed.includes(v), `expected one of ${allowed.join(', ')}`];

export { BOOL as B, ID as I, NON_NEGATIVE_INT as N, POSITIVE as P, SAFE_POSITIVE_INT as S, TEXT as T, oneOf as a, STRING as b, POSITIVE_INT as c, NAME as d, isPlainObject as e, fail as f, SCALAR as g, NAME_PATTERN as h, isScalar as i, keys as k, list as l, newId as n, obj as o, read as r, want as w };
//# sourceMappingURL=validate-aI8U5EBI.js.map
