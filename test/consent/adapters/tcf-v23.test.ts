// TCF v2.3: with interop.tcf.vendorId, purpose consent is not enough — the vendor must be
// disclosed (disclosedVendors segment) and have vendor consent. Tested against IAB's CmpApi.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TCString } from '@iabtechlabtcf/core';
import { connectTCF, hasDisclosedSegment, mapTCData } from '../../../src/consent/adapters';
import { createClient } from '../../../src/index';
import { encodeTC, encodeTC23, loadCmp, resetCmp } from './tcf-fixture';

const win = window as unknown as Record<string, unknown>;
const map = { measurement: [1, 9], personalization: [1, 5, 6] };
const ALL = [1, 5, 6, 9];

function connect(vendorId?: number) {
  const seen: Array<Record<string, boolean>> = [];
  const errors: unknown[] = [];
  const disconnect = connectTCF({ win, map, vendorId, onChoices: (c) => seen.push(c), onError: (e) => errors.push(e) });
  return { seen, errors, disconnect };
}

beforeEach(() => resetCmp(win));
afterEach(() => resetCmp(win));

describe('TCF v2.3 strings from the IAB encoder', () => {
  it('the installed @iabtechlabtcf/core encodes and decodes the disclosedVendors segment', () => {
    const s = encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1, 2] });
    expect(s.split('.')).toHaveLength(2);
    expect(hasDisclosedSegment(s)).toBe(true);
    expect([...TCString.decode(s).vendorsDisclosed].filter(([, v]) => v).map(([id]) => id)).toEqual([1, 2]);
    const core = encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1], disclosedSegment: false });
    expect(core.split('.')).toHaveLength(1);
    expect(hasDisclosedSegment(core)).toBe(false);
  });
});

describe('connectTCF with vendorId against the IAB reference CmpApi', () => {
  it('granted with purpose consent, the vendor disclosed and vendor consent', () => {
    const cmp = loadCmp();
    const { seen, errors } = connect(1);
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1, 2] }));
    expect(seen).toEqual([{ measurement: true, personalization: true }]);
    expect(errors).toEqual([]);
  });

  it('a vendor not in disclosedVendors is granted nothing, even with vendor consent', () => {
    const cmp = loadCmp();
    const { seen } = connect(1);
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [2] }));
    expect(seen).toEqual([{ measurement: false, personalization: false }]);
  });

  it('a string without a disclosedVendors segment grants nothing for the vendor', () => {
    const cmp = loadCmp();
    const { seen } = connect(1);
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1], disclosedSegment: false }));
    expect(seen).toEqual([{ measurement: false, personalization: false }]);
  });

  it('without vendor consent: nothing granted; with it, each purpose still needs all its TCF purposes', () => {
    const cmp = loadCmp();
    const { seen } = connect(1);
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [2], disclosed: [1, 2] }));
    cmp.update(encodeTC23({ consents: [1, 9], vendorConsents: [1], disclosed: [1] }));
    expect(seen).toEqual([
      { measurement: false, personalization: false },
      { measurement: true, personalization: false },
    ]);
  });

  it('without vendorId the v2.2 rule stands: purpose consent alone, with or without the segment', () => {
    const cmp = loadCmp();
    const { seen } = connect();
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [], disclosed: [], disclosedSegment: false }));
    cmp.update(encodeTC([1, 9]));
    expect(seen).toEqual([
      { measurement: true, personalization: true },
      { measurement: true, personalization: false },
    ]);
  });

  it('a malformed TC string from the CMP neither grants nor escapes', () => {
    const cmp = loadCmp();
    const { seen } = connect(1);
    for (const bad of ['garbage', 'CP.', '....', '\u0000', 'C'.repeat(5000)]) {
      try {
        cmp.update(bad);
      } catch {
        // the reference CMP itself may refuse to decode it
      }
    }
    const before = seen.length;
    expect(seen.every((c) => Object.values(c).every((v) => v === false))).toBe(true);
    // the adapter is still connected and correct afterwards
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1] }));
    expect(seen.slice(before)).toEqual([{ measurement: true, personalization: true }]);
  });

  it('a real client records the vendor gate with source tcf', async () => {
    const cmp = loadCmp();
    const c = await createClient({ storage: 'memory', interop: { tcf: { map, vendorId: 1 } } });
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [2] }));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.consent.get()).toEqual({ personalization: 'denied', measurement: 'denied' });
    cmp.update(encodeTC23({ consents: ALL, vendorConsents: [1], disclosed: [1] }));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.consent.get()).toEqual({ personalization: 'granted', measurement: 'granted' });
    expect((await c.consent.history()).map((r) => r.source)).toEqual(['tcf', 'tcf', 'tcf', 'tcf']);
    await c.close();
  });
});

describe('mapTCData with vendorId: hostile TCData', () => {
  it('property: never throws, and never grants unless the vendor is disclosed with consent and the string (if any) has the segment', () => {
    const anyVal = fc.oneof(fc.boolean(), fc.constant(null), fc.string(), fc.integer(), fc.object());
    const vec = fc.oneof(fc.dictionary(fc.constantFrom('1', '2', '7'), anyVal), fc.string(), fc.constant(null), fc.array(anyVal));
    const tcData = fc.record(
      {
        gdprApplies: fc.oneof(fc.constant(true), anyVal),
        eventStatus: fc.constantFrom('tcloaded', 'useractioncomplete', 'cmpuishown', 'x'),
        tcString: fc.oneof(fc.string(), fc.constantFrom('CPx.IAB', 'CPx', 'CPx.QAB.IAB', 'CPx.'), anyVal),
        purpose: fc.oneof(fc.record({ consents: vec }), anyVal),
        vendor: fc.oneof(fc.record({ consents: vec, disclosedVendors: vec }, { requiredKeys: [] }), anyVal),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(tcData, (tc) => {
        const out = mapTCData(tc as never, map, 7);
        if (!out) return;
        const v = (tc as { vendor?: { consents?: Record<string, unknown>; disclosedVendors?: Record<string, unknown> } }).vendor;
        const ok =
          !!v && typeof v === 'object' && !!v.disclosedVendors && (v.disclosedVendors as Record<string, unknown>)[7] === true &&
          !!v.consents && (v.consents as Record<string, unknown>)[7] === true &&
          (typeof (tc as { tcString?: unknown }).tcString !== 'string' || hasDisclosedSegment((tc as { tcString: string }).tcString));
        if (!ok) expect(Object.values(out).every((x) => x === false)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects bad vendorId options with the path', async () => {
    for (const vendorId of [0, -1, 1.5, '1', 70000, NaN]) {
      await expect(createClient({ storage: 'memory', interop: { tcf: { map, vendorId: vendorId as number } } })).rejects.toMatchObject({
        code: 'invalid-options',
        message: expect.stringMatching(/^interop\.tcf\.vendorId: expected a Global Vendor List id/),
      });
    }
  });
});
