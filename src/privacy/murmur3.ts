const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const mixK = (k: number): number => Math.imul(rotl(Math.imul(k, C1), 15), C2);
const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const mixH = (h: number, k: number): number => (Math.imul(rotl(h ^ mixK(k), 13), 5) + 0xe6546b64) | 0;
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** MurmurHash3 x86 32-bit of `bytes` with `seed`, as an unsigned 32-bit integer. */
export function murmur3_32(bytes: Uint8Array, seed: number): number {
  const len = bytes.length;
  const tail = len & ~3;
  let h = seed | 0;
  for (let i = 0; i < tail; i += 4) {
    h = mixH(h, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  }
  const r = len & 3;
  if (r) h ^= mixK(bytes[tail] | (r > 1 ? bytes[tail + 1] << 8 : 0) | (r > 2 ? bytes[tail + 2] << 16 : 0));
  return fmix(h ^ len);
}

/**
 * The OLH cohort hash: `murmur3_32(uint32le(index), seed) mod g`
 * (a fast path for the 4-byte input, equal to the general function).
 */
export function olhHash(index: number, seed: number, g: number): number {
  return fmix(mixH(seed | 0, index | 0) ^ 4) % g;
}
