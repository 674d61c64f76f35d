import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { connectTCF, mapTCData } from '../../../src/consent/adapters';
import { isCohortkitError } from '../../../src/errors';
import { CmpApiModel, encodeTC, installStub, loadCmp, resetCmp } from './tcf-fixture';

const win = window as unknown as Record<string, unknown>;
// The map suggested in docs/interop.md.
const map = { measurement: [1, 9], personalization: [1, 5, 6] };

function connect(extra: Partial<Parameters<typeof connectTCF>[0]> = {}) {
  const seen: Array<Record<string, boolean>> = [];
  const errors: unknown[] = [];
  const disconnect = connectTCF({ win, map, onChoices: (c) => seen.push(c), onError: (e) => errors.push(e), ...extra });
  return { seen, errors, disconnect };
}

beforeEach(() => resetCmp(win));
afterEach(() => resetCmp(win));

describe('connectTCF against the IAB reference CmpApi', () => {
  it('emits granted purposes when every mapped TCF purpose has consent (tcloaded)', () => {
    const cmp = loadCmp();
    const { seen, errors } = connect();
    expect(seen).toEqual([]); // CMP has no TC string yet: the call is queued
    cmp.update(encodeTC([1, 5, 6, 9]));
    expect(seen).toEqual([{ measurement: true, personalization: true }]);
    expect(errors).toEqual([]);
  });

  it('emits denied when consent is refused, and when a single mapped purpose is missing', () => {
    const cmp = loadCmp();
    const { seen } = connect();
    cmp.update(encodeTC([]));
    cmp.update(encodeTC([1, 5, 6, 7]));
    expect(seen).toEqual([
      { measurement: false, personalization: false },
      { measurement: false, personalization: true },
    ]);
  });

  it('does not accept legitimate interest as consent', () => {
    const cmp = loadCmp();
    const { seen } = connect();
    cmp.update(encodeTC([1, 5, 6], [7, 9]));
    expect(seen).toEqual([{ measurement: false, personalization: true }]);
  });

  it('follows a change: a new TC string after user action yields the new choices', () => {
    const cmp = loadCmp();
    const { seen } = connect();
    cmp.update(encodeTC([1, 5, 6, 9]));
    cmp.update(encodeTC([1, 7, 9])); // useractioncomplete: personalization withdrawn
    expect(CmpApiModel.eventStatus).toBe('useractioncomplete');
    expect(seen).toEqual([
      { measurement: true, personalization: true },
      { measurement: true, personalization: false },
    ]);
  });

  it('ignores cmpuishown and acts on the following useractioncomplete', () => {
    const cmp = loadCmp();
    const { seen } = connect();
    cmp.update('', true); // new visitor, UI shown
    expect(seen).toEqual([]);
    cmp.update(encodeTC([1, 5, 6]), false);
    expect(seen).toEqual([{ measurement: false, personalization: true }]);
  });

  it('emits nothing when GDPR does not apply', () => {
    const cmp = loadCmp();
    const { seen, errors } = connect();
    cmp.update(null);
    expect(seen).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('disconnect removes the listener: no further events', () => {
    const cmp = loadCmp();
    const { seen, disconnect } = connect();
    cmp.update(encodeTC([1]));
    expect(CmpApiModel.eventQueue.size).toBe(1);
    disconnect();
    expect(CmpApiModel.eventQueue.size).toBe(0);
    cmp.update(encodeTC([1, 5, 6, 9]));
    expect(seen).toHaveLength(1);
    disconnect(); // idempotent
  });

  it('connects through the stub queue before the CMP loads', () => {
    installStub(win);
    const { seen, disconnect } = connect();
    const cmp = loadCmp(); // takes over the stub's queue and replaces __tcfapi
    cmp.update(encodeTC([1, 7, 9]));
    expect(seen).toEqual([{ measurement: true, personalization: false }]);
    disconnect(); // must reach the loaded CMP, not the stub it connected to
    expect(CmpApiModel.eventQueue.size).toBe(0);
  });

  it('disconnect before the CMP answers removes the listener once it does, emitting nothing', () => {
    installStub(win);
    const { seen, disconnect } = connect();
    disconnect();
    const cmp = loadCmp();
    cmp.update(encodeTC([1, 5, 6, 9]));
    cmp.update(encodeTC([1]));
    expect(seen).toEqual([]);
    expect(CmpApiModel.eventQueue.size).toBe(0);
  });

  it('without __tcfapi: reports a CohortkitError and returns a no-op disconnect', () => {
    const { seen, errors, disconnect } = connect();
    expect(errors).toHaveLength(1);
    expect(isCohortkitError(errors[0])).toBe(true);
    expect((errors[0] as Error).message).toMatch(/__tcfapi/);
    expect(() => disconnect()).not.toThrow();
    expect(seen).toEqual([]);
  });

  it('never throws into the page: a throwing onChoices reaches onError once', () => {
    const cmp = loadCmp();
    const boom = new Error('boom');
    const onChoices = vi.fn(() => {
      throw boom;
    });
    const { errors } = connect({ onChoices, onError: (e) => errors.push(e) });
    expect(() => cmp.update(encodeTC([1]))).not.toThrow();
    expect(onChoices).toHaveBeenCalledTimes(1);
    // Wrapped as the adapter's fault (code interop, naming interop.tcf), the thrown error kept as its cause.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'interop', message: expect.stringMatching(/^interop\.tcf: /), cause: boom });
  });

  it('a throwing __tcfapi or onError does not escape', () => {
    win.__tcfapi = () => {
      throw new Error('broken CMP');
    };
    const disconnect = connectTCF({ win, map, onChoices: () => {}, onError: () => { throw new Error('x'); } });
    expect(() => disconnect()).not.toThrow();
  });

  it('reports success=false from the CMP as an error, not as choices', () => {
    win.__tcfapi = (_c: string, _v: number, cb: (d: unknown, ok: boolean) => void) => cb(null, false);
    const { seen, errors } = connect();
    expect(seen).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('property: through a real TC string, a purpose is granted iff all its TCF ids have consent', () => {
    const ids = fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    fc.assert(
      fc.property(ids, ids, fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { minLength: 1 })), (consents, lis, m) => {
        resetCmp(win);
        const cmp = loadCmp();
        const seen: Array<Record<string, boolean>> = [];
        connectTCF({ win, map: m, onChoices: (c) => seen.push(c) });
        cmp.update(encodeTC(consents, lis));
        const expected = Object.fromEntries(Object.entries(m).map(([p, need]) => [p, need.every((i) => consents.includes(i))]));
        expect(seen).toEqual([expected]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('mapTCData', () => {
  it('skips purposes mapped to no TCF id and unknown event statuses', () => {
    const tc = { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: { 1: true } } };
    expect(mapTCData(tc, { a: [], b: [1] })).toEqual({ b: true });
    expect(mapTCData({ ...tc, eventStatus: 'cmpuishown' }, { b: [1] })).toBeUndefined();
    expect(mapTCData({ ...tc, gdprApplies: undefined }, { b: [1] })).toBeUndefined();
  });
});
