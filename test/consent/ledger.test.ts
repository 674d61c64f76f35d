import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainRecords, verifyLedger, GENESIS, canonicalRecord, sha256Hex } from '../../src/consent';
import type { ConsentRecord } from '../../src/types';
import type { UnsignedRecord } from '../../src/consent/ledger';

const purposes = ['personalization', 'measurement', 'ads'];
const sources = ['banner', 'preference-center', 'api', 'gpc', 'tcf', 'consent-mode'] as const;

const unsigned = fc.record({
  at: fc.integer({ min: 0, max: 4e12 }),
  purpose: fc.constantFrom(...purposes),
  granted: fc.boolean(),
  source: fc.constantFrom(...sources),
  policyVersion: fc.option(fc.constantFrom('v1', 'v2'), { nil: undefined }),
});

async function build(records: UnsignedRecord[]): Promise<ConsentRecord[]> {
  return chainRecords(undefined, records);
}

describe('ledger hash chain', () => {
  it('chains from the genesis hash with consecutive seq', async () => {
    const l = await build([
      { at: 1, purpose: 'measurement', granted: true, source: 'banner' },
      { at: 2, purpose: 'measurement', granted: false, source: 'api', purged: { signals: 1, memberships: 2, reports: 3 } },
    ]);
    expect(l.map((r) => r.seq)).toEqual([1, 2]);
    expect(l[0]!.prevHash).toBe(GENESIS);
    expect(l[1]!.prevHash).toBe(l[0]!.hash);
    expect(l[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const { hash, ...rest } = l[1]!;
    expect(await sha256Hex(canonicalRecord(rest))).toBe(hash);
    expect(await verifyLedger(l)).toBe(true);
  });

  it('verifies any untampered ledger', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unsigned, { maxLength: 12 }), async (recs) => {
        expect(await verifyLedger(await build(recs))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('detects any single edit, deletion, insertion or reordering', async () => {
    const tamper = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), field: fc.constantFrom('at', 'purpose', 'granted', 'source', 'policyVersion', 'purged', 'seq', 'prevHash', 'hash'), i: fc.nat() }),
      fc.record({ kind: fc.constant('delete' as const), i: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), i: fc.nat() }),
      fc.record({ kind: fc.constant('duplicate' as const), i: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(unsigned, { minLength: 2, maxLength: 10 }), tamper, async (recs, t) => {
        const l = await build(recs);
        const head = { seq: l[l.length - 1]!.seq, hash: l[l.length - 1]!.hash };
        const i = t.i % l.length;
        const r = { ...l[i]! } as Record<string, unknown>;
        if (t.kind === 'edit') {
          const f = t.field;
          if (f === 'at' || f === 'seq') r[f] = (r[f] as number) + 1;
          else if (f === 'granted') r.granted = !r.granted;
          else if (f === 'purpose') r.purpose = r.purpose === 'ads' ? 'measurement' : 'ads';
          else if (f === 'source') r.source = r.source === 'api' ? 'banner' : 'api';
          else if (f === 'policyVersion') r.policyVersion = r.policyVersion === 'v9' ? 'v8' : 'v9';
          else if (f === 'purged') r.purged = { signals: 99, memberships: 0, reports: 0 };
          else r[f] = (r[f] as string).replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
          l[i] = r as unknown as ConsentRecord;
        } else if (t.kind === 'delete') l.splice(i, 1);
        else if (t.kind === 'duplicate') l.splice(i, 0, l[i]!);
        else {
          const j = (i + 1) % l.length;
          [l[i], l[j]] = [l[j]!, l[i]!];
        }
        expect(await verifyLedger(l, head)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('detects records cut off the end only with the head anchor', async () => {
    const l = await build([
      { at: 1, purpose: 'measurement', granted: true, source: 'banner' },
      { at: 2, purpose: 'measurement', granted: false, source: 'api' },
    ]);
    const head = { seq: 2, hash: l[1]!.hash };
    expect(await verifyLedger(l, head)).toBe(true);
    expect(await verifyLedger(l.slice(0, 1))).toBe(true); // the chain alone cannot see truncation
    expect(await verifyLedger(l.slice(0, 1), head)).toBe(false);
    expect(await verifyLedger([], head)).toBe(false);
    expect(await verifyLedger([], { seq: 0, hash: GENESIS })).toBe(true);
  });
});
