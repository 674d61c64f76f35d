/**
 * Stable bucket in [0, 1) for a visitor and slot: FNV-1a 32-bit over `${localId}:${slot}`
 * (UTF-16 code units), finalized with the MurmurHash3 mixer for uniform high bits, divided by 2^32.
 */
export function holdoutBucket(localId: string, slot: string): number {
  const s = `${localId}:${slot}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * A local visitor id (never sent anywhere): 16 random bytes as 32 lowercase hex characters.
 * @param random fills its argument with secure random bytes, e.g. `(b) => crypto.getRandomValues(b)`.
 */
export function createLocalId(random: (bytes: Uint8Array<ArrayBuffer>) => void): string {
  const b = new Uint8Array(16);
  random(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
