// Runs the segment spec cases kept as data in test/spec/segments.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSegments, evaluateAll, evaluateSegment, type SignalRollup } from '../../src/segments';
import { makeInput, ms, NOW, toRollups } from './helpers';

interface SpecCase {
  name: string;
  purposes?: string[];
  segments: unknown[];
  now?: { shift: string };
  context?: Record<string, unknown>;
  events: Array<{ event: string; ago: string; props?: Record<string, string | number | boolean>; n?: number; every?: string }>;
  rollups?: unknown[];
  granted: string[];
  expect: Record<string, Record<string, unknown> & { member: boolean }>;
  catalog?: {
    order?: string[];
    sensitive?: Record<string, boolean>;
    reads?: Record<string, string[]>;
    segmentsReadingEvent?: Record<string, string[]>;
    purposesForEvent?: Record<string, string[][]>;
  };
}

const cases: SpecCase[] = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../spec/segments.json'), 'utf8'));

/** Replaces `{ "ago": "1d" }` placeholders by NOW − 1d, recursively. */
function resolve(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.ago === 'string') return NOW - ms(o.ago);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}

describe('segment spec cases', () => {
  it('has at least 60 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const catalog = compileSegments(c.segments, { purposes: c.purposes ?? ['personalization', 'measurement'] });
    const events = c.events.flatMap((e) =>
      Array.from({ length: e.n ?? 1 }, (_, i) => ({
        event: e.event,
        props: e.props,
        at: NOW - ms(e.ago) - i * ms(e.every ?? '0ms'),
      })),
    );
    const rollups = [...toRollups(events), ...((resolve(c.rollups ?? []) as SignalRollup[]))];
    const now = NOW + (c.now ? ms(c.now.shift) : 0);
    const input = makeInput(rollups, now, c.granted, c.context);
    const all = evaluateAll(catalog, input);
    for (const [id, exp] of Object.entries(c.expect)) {
      const got = evaluateSegment(catalog, id, input);
      if (catalog.has(id)) expect(all.get(id)).toEqual(got);
      expect(got.segment).toBe(id);
      expect(got.member, `${id}.member`).toBe(exp.member);
      if (exp.reason) expect(got.reason, `${id}.reason`).toBe(exp.reason);
      const conditions = resolve(exp.conditions) as Array<Record<string, unknown>> | undefined;
      if (conditions?.length === 0) expect(got.conditions).toEqual([]);
      for (const want of conditions ?? []) {
        const found = got.conditions.find((g) => g.path === want.path);
        expect(found, `${id}: condition ${want.path} in ${JSON.stringify(got.conditions)}`).toBeDefined();
        for (const [k, v] of Object.entries(want)) expect((found as unknown as Record<string, unknown>)[k], `${id} ${want.path}.${k}`).toEqual(v);
      }
      if (exp.signals) expect(got.signals).toEqual(resolve(exp.signals));
      if (exp.purposes) expect(got.purposes).toEqual(exp.purposes);
    }
    const cat = c.catalog ?? {};
    if (cat.order) expect(catalog.segments.map((s) => s.id)).toEqual(cat.order);
    for (const [id, s] of Object.entries(cat.sensitive ?? {})) expect(catalog.get(id)?.sensitive, id).toBe(s);
    for (const [e, keys] of Object.entries(cat.reads ?? {})) expect([...(catalog.reads.get(e) ?? [])].sort()).toEqual(keys);
    for (const [e, ids] of Object.entries(cat.segmentsReadingEvent ?? {})) expect(catalog.segmentsReadingEvent(e)).toEqual(ids);
    for (const [e, ps] of Object.entries(cat.purposesForEvent ?? {})) expect(catalog.purposesForEvent(e)).toEqual(ps);
  });
});
