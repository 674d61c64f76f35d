// SHA-256 in JavaScript (src/consent/sha256.ts), used for the consent ledger where a page has no
// crypto.subtle (plain HTTP): the same hex digest as Node's for any string, and a client without
// WebCrypto's digest keeps a ledger that verifies with the same hashes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src';
import { canonicalRecord } from '../../src/consent/ledger';
import { sha256Hex } from '../../src/consent/sha256';

const node = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex (JavaScript)', () => {
  it('the FIPS 180-4 examples, and every length across the padding boundaries (0–200 bytes)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    for (let n = 0; n <= 200; n++) expect(sha256Hex('x'.repeat(n))).toBe(node('x'.repeat(n)));
  });

  it('equals Node for any string (UTF-8: astral code points, lone surrogates as U+FFFD)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => sha256Hex(s) === node(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => sha256Hex(s) === node(s)), { numRuns: 200 });
  });

  it('a 1 MB string', () => {
    const s = 'é'.repeat(500_000);
    expect(sha256Hex(s)).toBe(node(s));
  });
});

describe('a client where crypto.subtle is missing (a page over plain HTTP)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('consent is recorded and the ledger verifies, with the hashes WebCrypto would give', async () => {
    const real = globalThis.crypto;
    // As in an insecure context: getRandomValues stays, subtle is gone.
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) });
    expect(globalThis.crypto.subtle).toBeUndefined();
    const c = await createClient({ storage: 'memory', namespace: 'no-subtle', segments: [{ id: 'fan', description: 'reads', rule: { event: 'article_view' } }] });
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await c.consent.update({ personalization: true, measurement: false }, { source: 'banner' });
    expect(await c.track('article_view')).toEqual({ stored: true, reason: 'stored' });
    await c.consent.update({ personalization: false });
    const history = await c.consent.history();
    expect(history).toHaveLength(3);
    expect(await c.consent.verify()).toBe(true);
    for (const { hash, ...r } of history) expect(hash).toBe(node(canonicalRecord(r)));
    expect(errors).toEqual([]);
    await c.close();
  });
});
