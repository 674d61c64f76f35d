/** Fills `bytes` with random bytes. Privacy randomness comes only from here. */
export type RandomSource = (bytes: Uint8Array) => void;

/** `crypto.getRandomValues` (browsers and Node ≥ 20), in chunks of at most 65,536 bytes. */
export const defaultRandom: RandomSource = (bytes) => {
  for (let i = 0; i < bytes.length; i += 65536) globalThis.crypto.getRandomValues(bytes.subarray(i, i + 65536) as Uint8Array<ArrayBuffer>);
};

const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** A uniform uint32 from 4 bytes of `rs`, read little-endian. */
export function randomUint32(rs: RandomSource = defaultRandom): number {
  const b = new Uint8Array(4);
  rs(b);
  return u32(b, 0);
}

/** A uniform integer in [0, n) for an integer n in [1, 2^32], by rejection sampling (no modulo bias). */
export function randomInt(n: number, rs: RandomSource = defaultRandom): number {
  const limit = 4294967296 - (4294967296 % n);
  for (;;) {
    const x = randomUint32(rs);
    if (x < limit) return x % n;
  }
}

/** A uniform number in [0, 1) with 53 random bits, read from 8 bytes of `b` at `o`. */
export const uniform53 = (b: Uint8Array, o: number): number =>
  ((u32(b, o) >>> 5) * 67108864 + (u32(b, o + 4) >>> 6)) / 9007199254740992;

/** True with probability p (53-bit uniform compared `< p`). */
export function randomBernoulli(p: number, rs: RandomSource = defaultRandom): boolean {
  const b = new Uint8Array(8);
  rs(b);
  return uniform53(b, 0) < p;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url of `bytes`. */
export function toBase64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
    if (left > 1) s += ALPHABET[(n >> 6) & 63];
    if (left > 2) s += ALPHABET[n & 63];
  }
  return s;
}

/**
 * Decodes unpadded base64url strictly: returns undefined for any other alphabet, padding,
 * an impossible length or non-zero trailing bits (so every byte string has exactly one encoding).
 */
export function fromBase64url(str: string): Uint8Array | undefined {
  if (str.length % 4 === 1) return undefined;
  const out = new Uint8Array((str.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < str.length; i++) {
    const v = ALPHABET.indexOf(str[i]);
    if (v < 0) return undefined;
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
export function randomId(rs: RandomSource = defaultRandom): string {
  const b = new Uint8Array(16);
  rs(b);
  return toBase64url(b);
}
