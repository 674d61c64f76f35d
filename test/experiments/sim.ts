// End-to-end experiment simulation through real clients: one memory client per visitor, real
// consent.update, track, decide and flush; the reports their fetch sends go to createEstimator.
// Only the simulation's own choices (who is a member, who converts) come from a seeded source;
// every client draws its local id and its LDP noise from crypto.getRandomValues.
import { createClient } from '../../src/index';
import { defineExperiment } from '../../src/personalization';
import { createEstimator, type Estimator } from '../../src/server';
import type { ClientOptions, DecideRequest, Decision, LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';

const DAY = 86_400_000;
export const START = Date.UTC(2026, 0, 5, 12);
export const EXP = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase', within: '30d' } });
export const SEGMENTS = [{ id: 'fan', description: 'reads articles', rule: { event: 'article_view' } }, ...EXP.segments];

/** A seeded uniform in [0, 1) for the simulation's choices. */
export function seededUniform(seed: number): () => number {
  const r = seededRandom(seed);
  const b = new Uint8Array(4);
  return () => (r(b), (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0) / 2 ** 32;
}

export interface Population {
  /** Share of visitors who are members of the variant's segment (eligible). */
  members: number;
  /** Conversion of members who are not shown the variant, and of non-members. */
  memberRate: number;
  otherRate: number;
  /** Added to a member's conversion when they are shown the variant (0: A/A). */
  effect: number;
  holdout: number;
  epsilon: number;
  mechanism?: 'auto' | 'grr' | 'oue' | 'olh';
}

export interface VisitorOutcome {
  member: boolean;
  decision: Decision;
  converted: boolean;
}

/** Captures what the clients POST (the real transport calls the global fetch). */
export function captureFetch() {
  const reports: LDPReport[] = [];
  const orig = globalThis.fetch;
  globalThis.fetch = (async (_url: string, init: { body: string }) => {
    const body = JSON.parse(init.body);
    reports.push(...(Array.isArray(body) ? body : [body]));
    return new Response(JSON.stringify({ accepted: 1, rejected: [] }), { status: 202 });
  }) as never;
  return { reports, restore: () => void (globalThis.fetch = orig) };
}

/**
 * One visitor: on day 0 they consent, maybe read an article (member), see the hero decision and
 * maybe buy; on day 1 they come back and flush, so their epoch-1 report holds arm × outcome
 * (a space's report is drawn once per epoch, at the first chance: day 0's says `unexposed`).
 */
export async function runVisitor(pop: Population, u: () => number, extra: Partial<ClientOptions> = {}): Promise<VisitorOutcome> {
  let t = START;
  const c = await createClient({
    storage: 'memory',
    now: () => t,
    segments: SEGMENTS,
    cohorts: [EXP.space],
    report: { endpoint: 'http://127.0.0.1:9/v1/reports', epsilon: pop.epsilon, mechanism: pop.mechanism ?? 'auto' },
    ...extra,
  });
  try {
    await c.consent.update({ personalization: true, measurement: true });
    const member = u() < pop.members;
    if (member) await c.track('article_view');
    const req: DecideRequest = { slot: 'hero', holdout: pop.holdout, variants: [{ segment: 'fan', value: 'A' }], fallback: 'F' };
    const decision = await c.decide(req);
    const rate = member ? pop.memberRate + (decision.reason === 'segment' ? pop.effect : 0) : pop.otherRate;
    const converted = u() < rate;
    if (converted) await c.track('purchase');
    t += DAY;
    await c.flush();
    return { member, decision, converted };
  } finally {
    await c.close();
  }
}

/** `n` visitors through real clients; returns the estimator fed with their epoch-1 reports. */
export async function runExperiment(pop: Population, n: number, seed: number): Promise<{ estimator: Estimator; outcomes: VisitorOutcome[]; reports: LDPReport[] }> {
  const u = seededUniform(seed);
  const cap = captureFetch();
  const outcomes: VisitorOutcome[] = [];
  try {
    for (let i = 0; i < n; i++) outcomes.push(await runVisitor(pop, u));
  } finally {
    cap.restore();
  }
  const day1 = Math.floor(START / DAY) + 1;
  const reports = cap.reports.filter((r) => r.space === EXP.space.id && r.epoch === day1);
  const estimator = createEstimator({ spaces: [EXP.space] });
  for (const r of reports) {
    const res = estimator.add(r);
    if (!res.ok) throw new Error(`report rejected: ${res.error}`);
  }
  return { estimator, outcomes, reports };
}
