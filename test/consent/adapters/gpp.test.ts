// The GPP adapter against IAB Tech Lab's own CMP API (@iabgpp/cmpapi) and the IAB stub protocol.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectGPP, mapGPPData } from '../../../src/consent/adapters';
import { createClient } from '../../../src/index';
import { isCohortkitError } from '../../../src/errors';
import { installGppStub, loadGppCmp, setUsnat } from './gpp-fixture';

const win = window as unknown as Record<string, unknown>;
const map = { measurement: ['usnat.SaleOptOut', 'usnat.SharingOptOut'], personalization: ['usnat.TargetedAdvertisingOptOut'] };
const OPTED_OUT = 1;
const DID_NOT = 2;

function connect(m: Record<string, string[]> = map) {
  const seen: Array<Record<string, boolean>> = [];
  const errors: unknown[] = [];
  const disconnect = connectGPP({ win, map: m, onChoices: (c) => seen.push(c), onError: (e) => errors.push(e) });
  return { seen, errors, disconnect };
}
const tick = () => new Promise((r) => setTimeout(r, 30));

beforeEach(() => {
  delete win.__gpp;
  installGppStub(win);
});
afterEach(() => {
  delete win.__gpp;
});

describe('connectGPP against @iabgpp/cmpapi', () => {
  it('a usnat opt-out denies; "did not opt out" on every mapped field grants', () => {
    const cmp = loadGppCmp();
    const { seen, errors } = connect();
    expect(seen).toEqual([]); // registered, signal not ready yet
    setUsnat(cmp, { SaleOptOutNotice: 1, SaleOptOut: OPTED_OUT, SharingOptOutNotice: 1, SharingOptOut: DID_NOT, TargetedAdvertisingOptOutNotice: 1, TargetedAdvertisingOptOut: DID_NOT });
    expect(seen.at(-1)).toEqual({ measurement: false, personalization: true });
    expect(errors).toEqual([]);
  });

  it('follows a change, and a removed section signals nothing (no choice is emitted)', () => {
    const cmp = loadGppCmp();
    const { seen } = connect();
    setUsnat(cmp, { SaleOptOut: OPTED_OUT, SharingOptOut: DID_NOT, TargetedAdvertisingOptOut: OPTED_OUT });
    const n = seen.length;
    setUsnat(cmp, { SaleOptOut: DID_NOT, SharingOptOut: DID_NOT, TargetedAdvertisingOptOut: DID_NOT });
    expect(seen.slice(n).at(-1)).toEqual({ measurement: true, personalization: true });
    const m = seen.length;
    cmp.deleteSection('usnat');
    cmp.fireSectionChange('usnat');
    expect(seen.length).toBe(m);
  });

  it('0 (not applicable) leaves a purpose out; one opted-out field among several denies', () => {
    const cmp = loadGppCmp();
    const { seen } = connect();
    setUsnat(cmp, { SaleOptOut: 0, SharingOptOut: DID_NOT, TargetedAdvertisingOptOut: 0 });
    expect(seen).toEqual([]); // measurement: one field N/A; personalization: N/A
    setUsnat(cmp, { SaleOptOut: 0, SharingOptOut: OPTED_OUT });
    expect(seen.at(-1)).toEqual({ measurement: false });
  });

  it('nothing before the signal is ready, nor when no section applies (applicableSections [-1])', () => {
    const cmp = loadGppCmp();
    const { seen } = connect();
    cmp.setFieldValue('usnat', 'SaleOptOut', OPTED_OUT);
    cmp.fireSectionChange('usnat');
    expect(seen).toEqual([]);
    cmp.setApplicableSections([-1]);
    setUsnat(cmp, { SaleOptOut: OPTED_OUT });
    expect(seen).toEqual([]);
  });

  it('connects through the stub before the CMP loads; disconnect reaches the loaded CMP', () => {
    const { seen, disconnect } = connect();
    const cmp = loadGppCmp(); // adopts the stub's listeners
    setUsnat(cmp, { SaleOptOut: DID_NOT, SharingOptOut: DID_NOT, TargetedAdvertisingOptOut: OPTED_OUT });
    expect(seen.at(-1)).toEqual({ measurement: true, personalization: false });
    disconnect();
    const n = seen.length;
    setUsnat(cmp, { SaleOptOut: OPTED_OUT });
    expect(seen.length).toBe(n);
  });

  it('disconnect while still on the stub: the CMP adopts nothing that emits', () => {
    const { seen, disconnect } = connect();
    disconnect();
    expect((win.__gpp as (c: string) => unknown[])('events')).toEqual([]);
    const cmp = loadGppCmp();
    setUsnat(cmp, { SaleOptOut: OPTED_OUT });
    expect(seen).toEqual([]);
  });

  it('without __gpp: a CohortkitError, a no-op disconnect', () => {
    delete win.__gpp;
    const { errors, disconnect } = connect();
    expect(errors).toHaveLength(1);
    expect(isCohortkitError(errors[0])).toBe(true);
    expect((errors[0] as Error).message).toMatch(/__gpp/);
    expect(() => disconnect()).not.toThrow();
  });
});

describe('hostile GPP callbacks', () => {
  /** A fake __gpp that calls the listener with whatever it is given. */
  const fake = (...calls: Array<[unknown, unknown]>) => {
    win.__gpp = (cmd: string, cb: (e: unknown, ok: unknown) => void) => {
      if (cmd === 'addEventListener') for (const [e, ok] of calls) cb(e, ok);
    };
  };

  it('garbage never throws into the page and never grants', () => {
    const throwing = new Proxy({}, { get: () => { throw new Error('hostile getter'); } });
    const ready = (parsedSections: unknown) => ({ eventName: 'sectionChange', listenerId: 1, pingData: { signalStatus: 'ready', parsedSections } });
    fake(
      [null, true], ['x', true], [42, true], [throwing, true], [{ pingData: throwing }, true], [{ pingData: null }, true],
      [ready(null), true], [ready('usnat'), true], [ready([1, 2]), true], [ready(throwing), true], [ready({ usnat: throwing }), true],
      [ready({ usnat: { SaleOptOut: '2', SharingOptOut: 2, TargetedAdvertisingOptOut: [2, '2'] } }), true],
      [ready({ usnat: { SaleOptOut: 3, SharingOptOut: 2, TargetedAdvertisingOptOut: null } }), true],
      [ready({ usnat: [null, 7, { SaleOptOut: Infinity }] }), true],
      [ready({ usnat: { SaleOptOut: 2, SharingOptOut: 2 } }), false],
    );
    const { seen, errors } = connect();
    expect(seen).toEqual([]);
    expect(errors.length).toBeGreaterThan(0); // the throwing getters and success=false are reported
    expect(errors.every((e) => e instanceof Error)).toBe(true);
  });

  it('a throwing __gpp, a throwing onChoices or onError do not escape', () => {
    win.__gpp = () => {
      throw new Error('broken CMP');
    };
    const d = connectGPP({ win, map, onChoices: () => {}, onError: () => { throw new Error('x'); } });
    expect(() => d()).not.toThrow();
    fake([{ pingData: { signalStatus: 'ready', parsedSections: { usnat: { SaleOptOut: 1 } } } }, true]);
    const errors: unknown[] = [];
    connectGPP({ win, map, onChoices: () => { throw new Error('boom'); }, onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
  });

  it('property: a purpose is false iff a mapped field is 1, true iff every mapped field is 2, else absent', () => {
    const val = fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.constant(undefined), fc.string(), fc.array(fc.constantFrom(0, 1, 2), { maxLength: 3 }));
    const fields = ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut'];
    fc.assert(
      fc.property(fc.tuple(val, val, val), fc.dictionary(fc.constantFrom('a', 'b'), fc.subarray(fields, { minLength: 1 })), (vals, m) => {
        const usnat = Object.fromEntries(fields.map((f, i) => [f, vals[i]]));
        const gm = Object.fromEntries(Object.entries(m).map(([p, fs]) => [p, fs.map((f) => `usnat.${f}`)]));
        const out = mapGPPData({ usnat }, gm);
        const sig = (v: unknown) => (Array.isArray(v) ? (v.includes(1) ? 1 : v.length && v.every((x) => x === 2) ? 2 : 0) : v);
        for (const [p, fs] of Object.entries(m)) {
          const s = fs.map((f) => sig(usnat[f]));
          if (s.includes(1)) expect(out[p]).toBe(false);
          else if (s.every((x) => x === 2)) expect(out[p]).toBe(true);
          else expect(p in out).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('indexes into array fields: usnat.SensitiveDataProcessing.2', () => {
    expect(mapGPPData({ usnat: { SensitiveDataProcessing: [2, 2, 1, 0] } }, { a: ['usnat.SensitiveDataProcessing.2'], b: ['usnat.SensitiveDataProcessing.0'], c: ['usnat.SensitiveDataProcessing.9'] })).toEqual({ a: false, b: true });
  });
});

describe('a real client with interop.gpp', () => {
  it('records source gpp only on change; a removed section records nothing; a later visitor choice is not undone by a re-announcement', async () => {
    const cmp = loadGppCmp();
    const c = await createClient({ storage: 'memory', interop: { gpp: { map } } });
    setUsnat(cmp, { SaleOptOut: DID_NOT, SharingOptOut: DID_NOT, TargetedAdvertisingOptOut: OPTED_OUT });
    await tick();
    expect(c.consent.get()).toEqual({ personalization: 'denied', measurement: 'granted' });
    const h1 = await c.consent.history();
    expect(h1.map((r) => [r.purpose, r.granted, r.source])).toEqual([
      ['measurement', true, 'gpp'],
      ['personalization', false, 'gpp'],
    ]);
    cmp.fireSectionChange('usnat'); // re-announcement of the same state
    await tick();
    expect(await c.consent.history()).toHaveLength(2);
    await c.consent.update({ measurement: false }, { source: 'banner' });
    cmp.fireSectionChange('usnat');
    await tick();
    expect(c.consent.get().measurement).toBe('denied'); // the visitor's later choice stands
    setUsnat(cmp, { TargetedAdvertisingOptOut: DID_NOT }); // a real change from the CMP
    await tick();
    expect(c.consent.get().personalization).toBe('granted');
    const n = (await c.consent.history()).length;
    cmp.deleteSection('usnat');
    cmp.fireSectionChange('usnat');
    await tick();
    expect(await c.consent.history()).toHaveLength(n);
    expect(await c.consent.verify()).toBe(true);
    await c.close();
  });

  it('rejects bad interop.gpp options with the path', async () => {
    const bad: unknown[] = [{ map: { measurement: [] } }, { map: { measurement: ['SaleOptOut'] } }, { map: { measurement: 'usnat.SaleOptOut' } }, { map: { ads: ['usnat.SaleOptOut'] } }, { map: {}, extra: 1 }, 'x'];
    for (const gpp of bad)
      await expect(createClient({ storage: 'memory', interop: { gpp: gpp as never } })).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/^interop\.gpp/) });
  });
});
