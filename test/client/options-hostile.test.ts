// Invalid options reject `invalid-options` naming the real path, whatever the bad value is
// (BigInt, a throwing toJSON, a cycle), and a sparse array of huge length fails at its first item.
import { describe, expect, it } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import { describeCatalog } from '../../src/catalog';

let n = 0;
const ns = () => `fop${Date.now().toString(36)}-${n++}`;
const seg = (extra: Record<string, unknown>) => ({ id: 's', description: 'd', rule: { event: 'a' }, ...extra });
const throwing = { toJSON() { throw new Error('x'); } };
const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** `code: message` of what createClient rejects with ('RAW …' for anything but a CohortkitError). */
async function rejection(o: unknown) {
  try {
    await (await createClient(o as never)).close();
    return 'resolved';
  } catch (e) {
    return isCohortkitError(e) ? `${(e as { code: string }).code}: ${(e as Error).message}` : `RAW ${String(e)}`;
  }
}
function thrown(f: () => unknown) {
  try {
    f();
    return 'returned';
  } catch (e) {
    return isCohortkitError(e) ? `${(e as { code: string }).code}: ${(e as Error).message}` : `RAW ${String(e)}`;
  }
}

const cases: Array<[string, Record<string, unknown>, string]> = [
  ['interests purpose BigInt', { interests: [{ id: 'a', label: 'A', purposes: [1n] }] }, 'interests[0].purposes[0]: expected a declared purpose, got bigint'],
  ['interests purpose with a throwing toJSON', { interests: [{ id: 'a', label: 'A', purposes: [throwing] }] }, 'interests[0].purposes[0]: expected a declared purpose, got object'],
  ['segment purpose BigInt', { segments: [seg({ purposes: [1n] })] }, 'segments[0].purposes[0]: expected a declared purpose, got bigint'],
  ['segment purpose with a throwing toJSON', { segments: [seg({ purposes: ['personalization', throwing] })] }, 'segments[0].purposes[1]: expected a declared purpose, got object'],
  ['segment purpose a cycle', { segments: [seg({ purposes: [cycle] })] }, 'segments[0].purposes[0]: expected a declared purpose, got object'],
  ['segment purpose a symbol', { segments: [seg({ purposes: [Symbol('s')] })] }, 'segments[0].purposes[0]: expected a declared purpose, got symbol'],
  ['segment purpose an object (quoted as JSON)', { segments: [seg({ purposes: [{ a: 1 }] })] }, 'segments[0].purposes[0]: expected a declared purpose, got {"a":1}'],
  ['cohort segment BigInt', { segments: [seg({})], cohorts: [{ id: 'c', description: 'd', cohorts: [{ id: 'x', segment: 1n }], fallback: 'o' }] }, 'cohorts[0].cohorts[0].segment: unknown segment bigint'],
];

describe('invalid options name the real path', () => {
  it.each(cases)('%s', async (_, o, message) => {
    expect(await rejection({ namespace: ns(), storage: 'memory', ...o })).toBe(`invalid-options: ${message}`);
    // describeCatalog validates the same options the same way.
    expect(thrown(() => describeCatalog(o as never))).toBe(`invalid-options: ${message}`);
  });

  it('options whose keys cannot be read: `options: could not be read`', async () => {
    const o = new Proxy({}, { ownKeys() { throw new Error('x'); } });
    expect(await rejection(o)).toBe('invalid-options: options: could not be read');
    expect(thrown(() => describeCatalog(o as never))).toBe('invalid-options: options: could not be read');
  });
});

describe('sparse arrays of huge length fail at their first bad item, at once', () => {
  const sparse = (len: number, last: unknown = 1) => {
    const a: unknown[] = [];
    a.length = len;
    a[len - 1] = last;
    return a;
  };
  it('segments (length 1e8)', async () => {
    const t0 = Date.now();
    expect(await rejection({ storage: 'memory', segments: sparse(1e8) })).toBe('invalid-options: segments[0]: expected a plain object');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
  it('purposes and interests (length 1e8)', async () => {
    const t0 = Date.now();
    expect(await rejection({ storage: 'memory', purposes: sparse(1e8, 'personalization') })).toMatch(/^invalid-options: purposes\[0\]: /);
    expect(await rejection({ storage: 'memory', interests: sparse(1e8) })).toBe('invalid-options: interests[0]: expected a plain object');
    expect(await rejection({ storage: 'memory', segments: [seg({ purposes: sparse(1e8, 'personalization') })] })).toBe(
      'invalid-options: segments[0].purposes[0]: expected a declared purpose, got undefined',
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('interests.declare(ids) (length 1e8) rejects invalid-argument at ids[0]', async () => {
    const c = await createClient({ namespace: ns(), storage: 'memory', interests: [{ id: 'hiking', label: 'Hiking' }] });
    await c.consent.update({ personalization: true });
    const t0 = Date.now();
    const e = await c.interests.declare(sparse(1e8, 'hiking') as string[]).then(() => undefined, (x: unknown) => x);
    expect(isCohortkitError(e) && [(e as { code: string }).code, (e as Error).message]).toEqual([
      'invalid-argument',
      'ids[0]: unknown interest undefined (not in options.interests)',
    ]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(c.interests.get()).toEqual([]);
    await c.close();
  });
});
