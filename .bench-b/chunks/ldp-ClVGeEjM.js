import { C as CohortkitError } from './errors-Cp7kg1GW.js';

/** `crypto.getRandomValues` (browsers and Node ≥ 20), in chunks of at most 65,536 bytes. */
const defaultRandom = (bytes) => {
    for (let i = 0; i < bytes.length; i += 65536)
        globalThis.crypto.getRandomValues(bytes.subarray(i, i + 65536));
};
const u32 = (b, o) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** A uniform uint32 from 4 bytes of `rs`, read little-endian. */
function randomUint32(rs = defaultRandom) {
    const b = new Uint8Array(4);
    rs(b);
    return u32(b, 0);
}
/** A uniform integer in [0, n) for an integer n in [1, 2^32], by rejection sampling (no modulo bias). */
function randomInt(n, rs = defaultRandom) {
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
        const x = randomUint32(rs);
        if (x < limit)
            return x % n;
    }
}
/** A uniform number in [0, 1) with 53 random bits, read from 8 bytes of `b` at `o`. */
const uniform53 = (b, o) => ((u32(b, o) >>> 5) * 67108864 + (u32(b, o + 4) >>> 6)) / 9007199254740992;
/** True with probability p (53-bit uniform compared `< p`). */
function randomBernoulli(p, rs = defaultRandom) {
    const b = new Uint8Array(8);
    rs(b);
    return uniform53(b, 0) < p;
}
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Unpadded base64url of `bytes`. */
function toBase64url(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 3) {
        const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
        const left = bytes.length - i;
        s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
        if (left > 1)
            s += ALPHABET[(n >> 6) & 63];
        if (left > 2)
            s += ALPHABET[n & 63];
    }
    return s;
}
/**
 * Decodes unpadded base64url strictly: returns undefined for any other alphabet, padding,
 * an impossible length or non-zero trailing bits (so every byte string has exactly one encoding).
 */
function fromBase64url(str) {
    if (str.length % 4 === 1)
        return undefined;
    const out = new Uint8Array((str.length * 3) >> 2);
    let acc = 0;
    let bits = 0;
    let j = 0;
    for (let i = 0; i < str.length; i++) {
        const v = ALPHABET.indexOf(str[i]);
        if (v < 0)
            return undefined;
        acc = ((acc << 6) | v) & 0xffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[j++] = acc >> bits;
        }
    }
    return acc & ((1 << bits) - 1) ? undefined : out;
}
/** A report id: 22 characters, unpadded base64url of 16 random bytes (128 bits). */
function randomId(rs = defaultRandom) {
    const b = new Uint8Array(16);
    rs(b);
    return toBase64url(b);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const mixK = (k) => Math.imul(rotl(Math.imul(k, C1), 15), C2);
const rotl = (x, r) => (x << r) | (x >>> (32 - r));
const mixH = (h, k) => (Math.imul(rotl(h ^ mixK(k), 13), 5) + 0xe6546b64) | 0;
function fmix(h) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
}
/** MurmurHash3 x86 32-bit of `bytes` with `seed`, as an unsigned 32-bit integer. */
function murmur3_32(bytes, seed) {
    const len = bytes.length;
    const tail = len & -4;
    let h = seed | 0;
    for (let i = 0; i < tail; i += 4) {
        h = mixH(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    }
    const r = len & 3;
    if (r)
        h ^= mixK(bytes[tail] | (r > 1 ? bytes[tail + 1] << 8 : 0) | (r > 2 ? bytes[tail + 2] << 16 : 0));
    return fmix(h ^ len);
}
/**
 * The OLH cohort hash: `murmur3_32(uint32le(index), seed) mod g`
 * (a fast path for the 4-byte input, equal to the general function).
 */
function olhHash(index, seed, g) {
    return fmix(mixH(seed | 0, index | 0) ^ 4) % g;
}

// Subset selection (Ye & Barg 2018; Wang et al. 2016): report a set of d of the k cohorts,
// holding the true one with probability d·e^ε / (d·e^ε + k − d).
/** Largest k subset selection is offered for on request (the d search is O(k), reports ⌈k/8⌉ bytes). */
const SS_MAX_K = 4096;
/**
 * Support probabilities of subset selection with subset size d. Written with e^−ε so a very
 * large ε gives p → 1 and q → (d − 1)/(k − 1) instead of NaN.
 */
function subsetParams(k, epsilon, d) {
    const x = Math.exp(-epsilon);
    const den = d + (k - d) * x;
    return { p: d / den, q: ((d * (d - 1)) / (k - 1) + ((d * (k - d)) / (k - 1)) * x) / den };
}
const unitVariance = (p, q) => (q * (1 - q)) / ((p - q) * (p - q));
/**
 * The subset size d in [1, k − 1] with the lowest estimator variance q(1−q)/(p−q)², the first
 * on ties (relative difference under 1e-12 counts as a tie, so rounding never decides).
 */
function subsetSize(k, epsilon) {
    let best = 1;
    let bestV = Infinity;
    for (let d = 1; d < k; d++) {
        const { p, q } = subsetParams(k, epsilon, d);
        const v = unitVariance(p, q);
        if (v < bestV * (1 - 1e-12))
            (best = d), (bestV = v);
    }
    return best;
}
/**
 * Draws a subset of size d holding `index` with probability `pIn`, the other members uniform
 * among the remaining cohorts; returns it as unpadded base64url of ⌈k/8⌉ bytes, bit i for
 * cohort i, least significant bit first.
 */
function perturbSubset(index, k, d, pIn, rs) {
    const bits = new Uint8Array(Math.ceil(k / 8));
    const set = (i) => (bits[i >> 3] |= 1 << (i & 7));
    const keep = randomBernoulli(pIn, rs);
    if (keep)
        set(index);
    // Partial Fisher–Yates over the k − 1 other cohorts.
    const others = [];
    for (let i = 0; i < k; i++)
        if (i !== index)
            others.push(i);
    for (let j = 0, want = keep ? d - 1 : d; j < want; j++) {
        const r = j + randomInt(others.length - j, rs);
        const t = others[r];
        others[r] = others[j];
        others[j] = t;
        set(t);
    }
    return toBase64url(bits);
}

const MAX_K = 4294967296;
const fail = (msg) => {
    throw new CohortkitError('invalid-argument', msg);
};
/** Throws `invalid-argument` unless k is an integer in [2, 2^32] and ε a finite number > 0. */
function checkParams(k, epsilon) {
    if (!Number.isInteger(k) || k < 2 || k > MAX_K)
        fail('k: expected an integer in [2, 2^32]');
    if (typeof epsilon !== 'number' || !(epsilon > 0) || epsilon === Infinity)
        fail('epsilon: expected a finite number > 0');
}
/** Largest k for which `chooseMechanism` considers subset selection. */
const SS_AUTO_K = 64;
/**
 * The mechanism with the lowest estimator variance q(1−q)/(p−q)² for (k, ε) among GRR, OLH
 * and, for k ≤ 64, subset selection; ties go to the earlier of grr, olh, ss (a relative
 * difference under 1e-12 is a tie). OUE has OLH's variance with ⌈k/8⌉-byte reports, so it is
 * used only when asked for. GRR still wins where k < 3e^ε + 2, since SS with d = 1 is GRR.
 */
function chooseMechanism(k, epsilon) {
    checkParams(k, epsilon);
    let best = 'grr';
    let bestV = Infinity;
    for (const name of ['grr', 'olh', 'ss']) {
        if (name === 'ss' && k > SS_AUTO_K)
            break;
        const { p, q } = mechanismParams(name, k, epsilon, olhRange(epsilon));
        const v = varianceOf(p, q, 1);
        if (v < bestV * (1 - 1e-12))
            (best = name), (bestV = v);
    }
    return best;
}
/** OLH hash range for ε: max(2, round(e^ε + 1)), capped at 2^32. */
const olhRange = (epsilon) => Math.min(MAX_K, Math.max(2, Math.round(Math.exp(epsilon) + 1)));
/**
 * Support probabilities (p, q) of a mechanism. `g` is the OLH hash range; SS uses its optimal d. Written with e^−ε so
 * that very large ε gives p → 1, q → 0 instead of NaN.
 */
function mechanismParams(name, k, epsilon, g = 0) {
    const d = Math.exp(-epsilon);
    if (name === 'grr')
        return { p: 1 / (1 + (k - 1) * d), q: d / (1 + (k - 1) * d) };
    if (name === 'oue')
        return { p: 0.5, q: d / (1 + d) };
    if (name === 'ss')
        return subsetParams(k, epsilon, subsetSize(k, epsilon));
    return { p: 1 / (1 + (g - 1) * d), q: 1 / g };
}
/** Estimator variance n·q(1−q)/(p−q)² + nv·(1−p−q)/(p−q) for support probabilities p, q. */
const varianceOf = (p, q, n, nv = 0) => (n * q * (1 - q)) / ((p - q) * (p - q)) + (nv * (1 - p - q)) / (p - q);
/**
 * Creates a GRR, OUE, OLH or SS (subset selection) mechanism for k values and privacy parameter ε
 * (`mechanism: 'auto'` uses {@link chooseMechanism}). Throws `invalid-argument` naming the argument.
 */
function createMechanism(opts) {
    const { k, epsilon, mechanism = 'auto', random: rs = defaultRandom } = opts;
    checkParams(k, epsilon);
    if (mechanism !== 'auto' && mechanism !== 'grr' && mechanism !== 'oue' && mechanism !== 'olh' && mechanism !== 'ss') {
        fail('mechanism: expected auto, grr, oue, olh or ss');
    }
    if (mechanism === 'ss' && k > SS_MAX_K)
        fail(`k: subset selection takes k ≤ ${SS_MAX_K}`);
    if (typeof rs !== 'function')
        fail('random: expected a function');
    const name = mechanism === 'auto' ? chooseMechanism(k, epsilon) : mechanism;
    const g = name === 'olh' ? olhRange(epsilon) : 0;
    const ssD = name === 'ss' ? subsetSize(k, epsilon) : 0;
    const { p, q } = mechanismParams(name, k, epsilon, g);
    // Keeps x w.p. pKeep, else answers uniformly among the other m − 1 values of [0, m).
    const randomize = (x, m, pKeep) => {
        if (randomBernoulli(pKeep, rs))
            return x;
        const r = randomInt(m - 1, rs);
        return r < x ? r : r + 1;
    };
    const perturb = (index) => {
        if (!Number.isInteger(index) || index < 0 || index >= k)
            fail(`index: expected an integer in [0, ${k})`);
        if (name === 'grr')
            return { value: randomize(index, k, p) };
        if (name === 'ss')
            return { items: perturbSubset(index, k, ssD, p, rs) };
        if (name === 'olh') {
            const seed = randomUint32(rs);
            return { seed, g, value: randomize(olhHash(index, seed, g), g, p) };
        }
        const u = new Uint8Array(8 * k);
        rs(u);
        const bits = new Uint8Array(Math.ceil(k / 8));
        for (let i = 0; i < k; i++)
            if (uniform53(u, 8 * i) < (i === index ? p : q))
                bits[i >> 3] |= 1 << (i & 7);
        return { bits: toBase64url(bits) };
    };
    const m = { name, k, epsilon, p, q, perturb, variance: (n, nv = 0) => varianceOf(p, q, n, nv) };
    if (name === 'olh')
        m.g = g;
    if (name === 'ss')
        m.d = ssD;
    return m;
}

export { SS_MAX_K as S, chooseMechanism as a, olhRange as b, createMechanism as c, defaultRandom as d, murmur3_32 as e, fromBase64url as f, mechanismParams as m, olhHash as o, randomId as r, subsetSize as s, uniform53 as u, varianceOf as v };
//# sourceMappingURL=ldp-ClVGeEjM.js.map
