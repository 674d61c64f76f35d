// A stored declared-interest record is judged by the purposes the options declare for its
// interest, not by the purposes it claims. Before, a record edited by another script to claim
// `purposes: []` (or a purpose the interest does not have) was held as declared, segmented on,
// and survived every withdrawal; a record of an interest the options no longer declare stayed on
// disk forever.
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import type { Client, ClientOptions } from '../../src/types';

let n = 0;
const ns = () => `intp${Date.now().toString(36)}${n++}`;
const options = (namespace: string): ClientOptions => ({
  namespace,
  purposes: ['personalization', 'measurement'],
  interests: [
    { id: 'hiking', label: 'Hiking' }, // default purposes: personalization
    { id: 'stats', label: 'Statistics', purposes: ['personalization', 'measurement'] },
  ],
  segments: [
    { id: 'hiker', description: 'likes hiking', rule: { declared: 'hiking' } },
    { id: 'reader', description: 'reads', rule: { event: 'read' } },
  ],
});
let clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});
const open = async (namespace: string) => {
  const c = await createClient(options(namespace));
  clients.push(c);
  return c;
};
const stored = async (namespace: string) => {
  const db = await openDB(`cohortkit:${namespace}`);
  const keys = ((await db.getAll('signals')) as Array<{ key: string }>).map((r) => r.key).filter((k) => k.startsWith('interest|'));
  db.close();
  return keys.sort();
};
const put = async (namespace: string, ...recs: object[]) => {
  const db = await openDB(`cohortkit:${namespace}`);
  for (const r of recs) await db.put('signals', r);
  db.close();
};

describe('stored interests under the options’ purposes', () => {
  it.each([
    ['purposes: []', { key: 'interest|hiking', interest: 'hiking', purposes: [], at: 0 }],
    ['a purpose the interest does not have', { key: 'interest|hiking', interest: 'hiking', purposes: ['measurement'], at: 0 }],
    ['one of its two purposes only', { key: 'interest|stats', interest: 'stats', purposes: ['measurement'], at: 0 }],
    ['an interest the options do not declare', { key: 'interest|sailing', interest: 'sailing', purposes: ['personalization'], at: 0 }],
    ['the wrong shape', { key: 'interest|hiking', interest: 7 }],
  ])('%s: not held, not segmented on, deleted at start', async (_name, rec) => {
    const namespace = ns();
    const c = await open(namespace);
    await c.consent.update({ personalization: true, measurement: true });
    await c.close();
    await put(namespace, rec);
    expect(await stored(namespace)).toEqual([(rec as { key: string }).key]); // the check can fail
    const again = await open(namespace);
    expect(again.interests.get()).toEqual([]);
    expect(await again.segments()).toEqual([]);
    expect(await stored(namespace)).toEqual([]);
  });

  it('a withdrawal still purges what was declared; a declared record is kept while granted', async () => {
    const namespace = ns();
    const c = await open(namespace);
    await c.consent.update({ personalization: true, measurement: true });
    await c.interests.declare(['hiking', 'stats']);
    await c.close();
    const again = await open(namespace);
    expect(again.interests.get()).toEqual(['hiking', 'stats']);
    expect(await stored(namespace)).toEqual(['interest|hiking', 'interest|stats']);
    await again.consent.update({ measurement: false });
    expect(again.interests.get()).toEqual(['hiking']);
    expect(await stored(namespace)).toEqual(['interest|hiking']);
    await again.consent.update({ personalization: false });
    expect(again.interests.get()).toEqual([]);
    expect(await stored(namespace)).toEqual([]);
  });

  it('a hostile record put after start is not held when another tab announces a change, and the next sweep deletes it', async () => {
    const namespace = ns();
    const a = await open(namespace);
    const b = await open(namespace);
    await a.consent.update({ personalization: true, measurement: true });
    await a.interests.declare(['stats']);
    await put(namespace, { key: 'interest|hiking', interest: 'hiking', purposes: [], at: 0 });
    const reloaded = new Promise((r) => b.on('segments', r));
    await a.track('read'); // b reloads the signals store
    await reloaded;
    expect(b.interests.get()).toEqual(['stats']);
    expect((await b.segments()).map((m) => m.id)).toEqual(['reader']);
    await b.consent.update({ measurement: false });
    expect(await stored(namespace)).toEqual([]);
  });
});
