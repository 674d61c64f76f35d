// Declared interests (API.md v1.1 "Declared interests"): validation, declare/get/list, consent,
// the `{ declared }` rule, purge on withdrawal, export/forget, persistence and cross-tab, through
// real clients on fake-indexeddb.
import fc from 'fast-check';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { describeCatalog } from '../../src/catalog';
import { createClient, isCohortkitError } from '../../src/index';
import type { Client, ClientOptions, Membership, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';

let n = 0;
const ns = () => `int${Date.now().toString(36)}${n++}`;
const interests = [
  { id: 'hiking', label: 'Hiking' },
  { id: 'cooking', label: 'Cooking' },
  { id: 'stats', label: 'Our statistics', purposes: ['measurement'] },
];
const segments: SegmentDefinition[] = [
  { id: 'hiker', description: 'said they like hiking', rule: { declared: 'hiking' } },
  { id: 'cook-or-hiker', description: 'either', rule: { any: [{ declared: 'cooking' }, { segment: 'hiker' }] } },
  { id: 'stat-fan', description: 'measurement interest', purposes: ['measurement'], rule: { declared: 'stats' } },
];
const base = (extra: Partial<ClientOptions> = {}): ClientOptions => ({ namespace: ns(), now: clock(), interests, segments, ...extra });

let clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});
const open = async (o: ClientOptions) => {
  const c = await createClient(o);
  clients.push(c);
  return c;
};

async function dump(namespace: string) {
  const db = await openDB(`cohortkit:${namespace}`);
  const out: Record<string, unknown[]> = {};
  for (const name of db.objectStoreNames) out[name] = await db.getAll(name);
  db.close();
  return out;
}
const ids = (m: Membership[]) => m.map((x) => x.id);
const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p == 'function' ? p() : p);
  } catch (e) {
    return isCohortkitError(e) ? [e.code, e.message] : ['other', String(e)];
  }
  return ['none', ''];
};

describe('options.interests validation', () => {
  const hostile = new Proxy([], { get: () => { throw new Error('boom'); } });
  it.each([
    ['not an array', { x: 1 }, /^interests: expected an array/],
    ['item not an object', ['hiking'], /^interests\[0\]: expected a plain object/],
    ['bad id', [{ id: 'Hiking!', label: 'x' }], /^interests\[0\]\.id: expected an id/],
    ['missing label', [{ id: 'a' }], /^interests\[0\]\.label: expected a non-empty string/],
    ['blank label', [{ id: 'a', label: '  ' }], /^interests\[0\]\.label:/],
    ['duplicate', [{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }], /^interests\[1\]\.id: duplicate id "a"/],
    ['undeclared purpose', [{ id: 'a', label: 'A', purposes: ['ads'] }], /^interests\[0\]\.purposes\[0\]: expected a declared purpose, got "ads"/],
    ['empty purposes', [{ id: 'a', label: 'A', purposes: [] }], /^interests\[0\]\.purposes: expected a non-empty array/],
    ['unknown key', [{ id: 'a', label: 'A', sensitive: true }], /^interests\[0\]\.sensitive: unknown key/],
    ['hostile proxy', hostile, /^interests: could not be read/],
    ['__proto__ id', [{ id: '__proto__', label: 'x' }], /^interests\[0\]\.id: expected an id/],
  ])('%s is invalid-options naming the path', async (_, value, message) => {
    const [c, m] = await code(createClient({ storage: 'memory', interests: value as never }));
    expect(c).toBe('invalid-options');
    expect(m).toMatch(message);
  });

  it('the default purpose must be declared', async () => {
    const [c, m] = await code(createClient({ storage: 'memory', purposes: ['measurement'], interests: [{ id: 'a', label: 'A' }] }));
    expect([c, m]).toEqual(['invalid-options', 'interests[0].purposes: the default "personalization" is not declared']);
  });

  it('a { declared } rule naming an unknown interest is invalid-options with its path', async () => {
    const [c, m] = await code(
      createClient({ storage: 'memory', interests, segments: [{ id: 's', description: 'd', rule: { all: [{ declared: 'sailing' }] } }] }),
    );
    expect(c).toBe('invalid-options');
    expect(m).toBe('segments[0].rule.all[0].declared: unknown interest "sailing" (not in options.interests)');
    const [c2, m2] = await code(createClient({ storage: 'memory', segments: [{ id: 's', description: 'd', rule: { declared: 42 } as never }] }));
    expect([c2, m2[0] && (m2 as string).split(':')[0]]).toEqual(['invalid-options', 'segments[0].rule.declared']);
  });
});

describe('client.interests', () => {
  it('list() gives ids and labels; get() is empty at first; declare stores and replaces the set', async () => {
    const o = base();
    const c = await open(o);
    expect(c.interests.list()).toEqual(interests.map(({ id, label }) => ({ id, label })));
    expect(c.interests.get()).toEqual([]);
    await c.consent.update({ personalization: true });
    expect(await c.interests.declare(['cooking', 'hiking', 'hiking'])).toEqual({ stored: true, reason: 'stored' });
    expect(c.interests.get()).toEqual(['hiking', 'cooking']); // declaration order, deduplicated
    expect(await c.interests.declare(['cooking'])).toEqual({ stored: true, reason: 'stored' });
    expect(c.interests.get()).toEqual(['cooking']);
    const d = await dump(o.namespace!);
    expect(d.signals).toEqual([expect.objectContaining({ interest: 'cooking', purposes: ['personalization'] })]);
    expect(await c.interests.declare([])).toEqual({ stored: true, reason: 'stored' });
    expect(c.interests.get()).toEqual([]);
    expect((await dump(o.namespace!)).signals).toEqual([]);
  });

  it('an undeclared or malformed id rejects invalid-argument naming it, and changes nothing', async () => {
    const c = await open(base());
    await c.consent.update({ personalization: true });
    await c.interests.declare(['hiking']);
    const revoked = Proxy.revocable([], {});
    revoked.revoke();
    for (const [arg, msg] of [
      [['hiking', 'sailing'], /^ids\[1\]: unknown interest "sailing"/],
      [['__proto__'], /^ids\[0\]: unknown interest "__proto__"/],
      [[1], /^ids\[0\]: unknown interest number/],
      ['hiking', /^ids: expected an array/],
      [null, /^ids: expected an array/],
      [revoked.proxy, /^ids: /],
    ] as const) {
      const [c1, m] = await code(c.interests.declare(arg as never));
      expect(c1).toBe('invalid-argument');
      expect(m).toMatch(msg);
    }
    expect(c.interests.get()).toEqual(['hiking']);
  });

  it('without consent nothing is stored (no-consent); a mixed set is all or nothing', async () => {
    const o = base();
    const c = await open(o);
    expect(await c.interests.declare(['hiking'])).toEqual({ stored: false, reason: 'no-consent' });
    await c.consent.update({ personalization: true });
    expect(await c.interests.declare(['hiking'])).toEqual({ stored: true, reason: 'stored' });
    // stats needs measurement, not granted: the whole declaration is refused, the old set stays.
    expect(await c.interests.declare(['cooking', 'stats'])).toEqual({ stored: false, reason: 'no-consent' });
    expect(c.interests.get()).toEqual(['hiking']);
    expect(JSON.stringify(await dump(o.namespace!))).not.toContain('cooking');
  });

  it('property: with no purpose granted, any declaration stores nothing at all', async () => {
    const o = base();
    const c = await open(o);
    const before = JSON.stringify(await dump(o.namespace!));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('hiking', 'cooking', 'stats'), { maxLength: 5 }).filter((a) => a.length > 0), async (xs) => {
        const r = await c.interests.declare(xs);
        expect(r).toEqual({ stored: false, reason: 'no-consent' });
        expect(c.interests.get()).toEqual([]);
        const d = await dump(o.namespace!);
        expect(JSON.stringify(d)).toBe(before);
        expect(d.signals).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('close() makes declare reject closed', async () => {
    const c = await createClient(base({ storage: 'memory' }));
    await c.close();
    expect((await code(c.interests.declare([])))[0]).toBe('closed');
  });
});

describe('{ declared } segments', () => {
  it('membership follows the declared set; explain shows a declared condition; on(segments) fires', async () => {
    const c = await open(base());
    await c.consent.update({ personalization: true });
    const seen: string[][] = [];
    c.on('segments', (m) => seen.push(ids(m as Membership[])));
    expect(ids(await c.segments())).toEqual([]);
    await c.interests.declare(['hiking']);
    expect(ids(await c.segments())).toEqual(['hiker', 'cook-or-hiker']);
    const e = await c.explain('hiker');
    expect(e).toMatchObject({ member: true, reason: 'match', purposes: ['personalization'] });
    expect(e.conditions).toEqual([{ path: 'rule.declared', passed: true, observed: ['hiking'], expected: 'hiking' }]);
    await c.interests.declare(['cooking']);
    expect(ids(await c.segments())).toEqual(['cook-or-hiker']);
    expect((await c.explain('hiker')).conditions).toEqual([{ path: 'rule.declared', passed: false, observed: ['cooking'], expected: 'hiking' }]);
    expect(seen).toEqual([['hiker', 'cook-or-hiker'], ['cook-or-hiker']]);
  });

  it('the catalog lists a declared segment as not context-only, reading no event', async () => {
    const c = await open(base({ storage: 'memory' }));
    const hiker = c.catalog().find((e) => e.id === 'hiker')!;
    expect(hiker).toMatchObject({ contextOnly: false, reads: [], purposes: ['personalization'] });
    expect(c.catalog().find((e) => e.id === 'cook-or-hiker')!.contextOnly).toBe(false);
  });

  it('the catalog Markdown says a declared segment stores declared interests, not "nothing"', () => {
    const { markdown } = describeCatalog({ interests, segments });
    const section = markdown.split('#### ').find((x) => x.startsWith('`hiker`'))!;
    expect(section).toContain('- **Sources:** interests the visitor declared (no event)');
    expect(section).toContain('- **Retention:** declared interests, kept until the visitor changes them or withdraws consent');
    expect(() => describeCatalog({ segments: [{ id: 's', description: 'd', rule: { declared: 'x' } }] })).toThrow(
      'segments[0].rule.declared: unknown interest "x"',
    );
  });

  it('withdrawal purges the interests (counted in purged.signals) and the segments update', async () => {
    const o = base();
    const c = await open(o);
    await c.consent.update({ personalization: true, measurement: true });
    await c.interests.declare(['hiking', 'cooking', 'stats']);
    expect(ids(await c.segments())).toEqual(['hiker', 'cook-or-hiker', 'stat-fan']);
    const update = new Promise<Membership[]>((r) => c.on('segments', (m) => r(m as Membership[])));
    await c.consent.update({ personalization: false });
    expect(ids(await update)).toEqual(['stat-fan']);
    const last = (await c.consent.history()).at(-1)!;
    expect(last).toMatchObject({ purpose: 'personalization', granted: false });
    expect(last.purged!.signals).toBe(2);
    expect(c.interests.get()).toEqual(['stats']);
    const d = await dump(o.namespace!);
    expect(d.signals).toEqual([expect.objectContaining({ interest: 'stats', purposes: ['measurement'] })]);
    expect((await c.exportData()).interests).toEqual(['stats']);
  });

  it('exportData holds interests; forget() deletes them', async () => {
    const o = base();
    const c = await open(o);
    await c.consent.update({ personalization: true });
    await c.interests.declare(['hiking']);
    expect((await c.exportData()).interests).toEqual(['hiking']);
    await c.forget();
    expect(c.interests.get()).toEqual([]);
    expect((await c.exportData()).interests).toEqual([]);
    const again = await open({ ...o });
    expect(again.interests.get()).toEqual([]);
  });

  it('persists across a new client on the same namespace; a record edited by another script is ignored', async () => {
    const o = base();
    const c = await open(o);
    await c.consent.update({ personalization: true });
    await c.interests.declare(['cooking']);
    await c.close();
    const db = await openDB(`cohortkit:${o.namespace}`);
    await db.put('signals', { key: 'interest|sailing', interest: 'sailing', purposes: ['personalization'], at: 0 });
    await db.put('signals', { key: 'interest|hiking', interest: 'hiking', purposes: 'nope', at: 0 });
    db.close();
    const again = await open({ ...o });
    expect(again.interests.get()).toEqual(['cooking']);
    expect(ids(await again.segments())).toEqual(['cook-or-hiker']);
  });

  it('cross-tab: declaring in one tab updates the other and its segments', async () => {
    const namespace = ns();
    const a = await open({ namespace, interests, segments });
    const b = await open({ namespace, interests, segments });
    const synced = new Promise((r) => b.on('consent', r));
    await a.consent.update({ personalization: true });
    await synced;
    const seg = new Promise<Membership[]>((r) => b.on('segments', (m) => r(m as Membership[])));
    await a.interests.declare(['hiking']);
    expect(ids(await seg)).toEqual(['hiker', 'cook-or-hiker']);
    expect(b.interests.get()).toEqual(['hiking']);
  });

  it('cross-tab: a withdrawal in one tab empties the interests and segments of the other', async () => {
    const namespace = ns();
    const a = await open({ namespace, interests, segments });
    const b = await open({ namespace, interests, segments });
    const synced = new Promise((r) => b.on('consent', r));
    await a.consent.update({ personalization: true });
    await synced;
    const seg = new Promise<Membership[]>((r) => b.on('segments', (m) => r(m as Membership[])));
    await a.interests.declare(['hiking', 'cooking']);
    expect(ids(await seg)).toEqual(['hiker', 'cook-or-hiker']);
    const gone = new Promise<Membership[]>((r) => b.on('segments', (m) => r(m as Membership[])));
    await a.consent.update({ personalization: false });
    expect(ids(await gone)).toEqual([]);
    expect(b.interests.get()).toEqual([]);
    expect((await b.exportData()).interests).toEqual([]);
  });
});
