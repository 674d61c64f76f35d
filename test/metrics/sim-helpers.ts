// Shared pieces of the metric simulations: seeded crypto for real clients, captured reports,
// and the same reports drawn with the mechanism directly (for seed sweeps).
import { vi } from 'vitest';
import { createMechanism, randomId, type RandomSource } from '../../src/privacy';
import { defineAudit } from '../../src/index';
import type { ConsentValue, LDPReport, SegmentDefinition } from '../../src/types';
import { seededRandom } from '../privacy/helpers';

/** Uniform [0, 1) from a RandomSource. */
export const uniform = (r: RandomSource) => () => {
  const b = new Uint8Array(4);
  r(b);
  return new DataView(b.buffer).getUint32(0, true) / 2 ** 32;
};

/** Replaces crypto.getRandomValues with a seeded generator (LDP noise, ids) until restored. */
export function seedCrypto(seed: number) {
  const r = seededRandom(seed);
  return vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    const v = a as unknown as ArrayBufferView;
    r(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return a;
  });
}

/** A fetch that accepts every request and keeps the reports it carried. */
export function captureReports() {
  const sent: LDPReport[] = [];
  const orig = globalThis.fetch;
  globalThis.fetch = (async (_url: string, init: RequestInit) => {
    const b = JSON.parse(String(init.body));
    sent.push(...(Array.isArray(b) ? b : [b]));
    return new Response('{}', { status: 202 });
  }) as never;
  return { sent, restore: () => (globalThis.fetch = orig) };
}

/**
 * Wire reports of `space` for the given true cohort indices, drawn as the client draws them
 * (createMechanism with 'auto', fresh id each), with a seeded source.
 */
export function drawReports(space: string, k: number, epsilon: number, indices: number[], random: RandomSource, mechanism: 'auto' | 'grr' | 'oue' | 'olh' = 'auto'): LDPReport[] {
  const m = createMechanism({ k, epsilon, random, mechanism });
  return indices.map((i) => ({ v: 1, id: randomId(random), space, spaceVersion: 1, epoch: 20458, k, mechanism: m.name, epsilon, ...m.perturb(i) }) as LDPReport);
}

/** The audit of the simulations: subscriber rate in group a vs group b. */
export const audit = defineAudit({ id: 'subs', segment: 'subscriber', groups: [{ id: 'a', segment: 'grp-a' }, { id: 'b', segment: 'grp-b' }] });
export const auditSegments: SegmentDefinition[] = [
  { id: 'grp-a', description: 'group a', rule: { event: 'cohort', where: { g: 'a' } } },
  { id: 'grp-b', description: 'group b', rule: { event: 'cohort', where: { g: 'b' } } },
  { id: 'subscriber', description: 'subscribed', rule: { event: 'subscribe' } },
  ...audit.segments,
];

/** Visitors: 48 % in group a, 48 % in b, 4 % in neither; subscriber with the group's rate. */
export function auditPopulation(n: number, rates: { a: number; b: number }, seed: number) {
  const u = uniform(seededRandom(seed));
  return Array.from({ length: n }, () => {
    const x = u();
    const group = x < 0.48 ? ('a' as const) : x < 0.96 ? ('b' as const) : undefined;
    const member = group !== undefined && u() < rates[group];
    return { group, member };
  });
}
/** The visitor's true cohort index in the audit space. */
export const auditIndex = (v: { group?: 'a' | 'b'; member: boolean }) => (v.group === 'a' ? 0 : v.group === 'b' ? 2 : 4) + (v.group && !v.member ? 1 : 0);

/** `n` visitors whose consent state per purpose is drawn independently with `shares` (granted / denied / unset). */
export function consentPopulation(n: number, seed: number, shares: Record<string, Record<ConsentValue, number>>) {
  const u = uniform(seededRandom(seed));
  const pick = (s: Record<ConsentValue, number>): ConsentValue => {
    const x = u();
    return x < s.granted ? 'granted' : x < s.granted + s.denied ? 'denied' : 'unset';
  };
  return Array.from({ length: n }, () => Object.fromEntries(Object.entries(shares).map(([p, s]) => [p, pick(s)])) as Record<string, ConsentValue>);
}
