// SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as hex, for where WebCrypto's digest is missing:
// a page served over plain HTTP (not a secure context) has no `crypto.subtle`. It hashes the
// consent ledger only (integrity, not secrecy), to the same bytes as WebCrypto.

const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));
/** H0: the first 32 bits of the fractional parts of the square roots of the first 8 primes; K: of the cube roots of the first 64. */
const H0: number[] = [];
const K: number[] = [];
for (let p = 2; K.length < 64; p++) {
  let prime = true;
  for (let d = 2; d * d <= p; d++) if (p % d == 0) prime = false;
  if (!prime) continue;
  if (H0.length < 8) H0.push(((p ** 0.5 % 1) * 2 ** 32) | 0);
  K.push(((p ** (1 / 3) % 1) * 2 ** 32) | 0);
}

/** Hex SHA-256 of `text` (UTF-8). */
export function sha256Hex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const n = bytes.length;
  // The message, a 1 bit, zeros and the bit length in the last 64 bits, as big-endian words.
  const m = new Uint32Array(((n + 72) >> 6) << 4);
  for (let i = 0; i < n; i++) m[i >> 2] |= bytes[i]! << (24 - (i & 3) * 8);
  m[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
  m[m.length - 2] = n / 2 ** 29;
  m[m.length - 1] = n << 3;
  const h = H0.slice();
  const w = new Uint32Array(64);
  for (let j = 0; j < m.length; j += 16) {
    for (let i = 0; i < 64; i++)
      w[i] =
        i < 16
          ? m[j + i]!
          : (ror(w[i - 15]!, 7) ^ ror(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3)) + w[i - 16]! + (ror(w[i - 2]!, 17) ^ ror(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10)) + w[i - 7]!;
    let [a, b, c, d, e, f, g, k] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, k].forEach((x, i) => (h[i] = (h[i]! + x) | 0));
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}
