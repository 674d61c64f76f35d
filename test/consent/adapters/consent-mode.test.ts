import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_CONSENT_MODE_MAP,
  fromConsentMode,
  mirrorToConsentMode,
  readConsentMode,
  toConsentMode,
  type ConsentModeMap,
} from '../../../src/consent/adapters';

type Win = { dataLayer?: unknown[]; gtag?: (...a: unknown[]) => void };

/** Google's documented gtag snippet: `dataLayer.push(arguments)`. */
function withGtag(): Win & { gtag: (...a: unknown[]) => void } {
  const win: Win = {};
  win.dataLayer = win.dataLayer || [];
  win.gtag = function gtag() {
    // eslint-disable-next-line prefer-rest-params
    win.dataLayer!.push(arguments);
  };
  return win as Win & { gtag: (...a: unknown[]) => void };
}
const isArguments = (x: unknown) => Object.prototype.toString.call(x) === '[object Arguments]';

describe('mirrorToConsentMode', () => {
  it("calls gtag: the dataLayer gets the ['consent','update',{…}] arguments entry", () => {
    const win = withGtag();
    mirrorToConsentMode(win, { measurement: 'granted', personalization: 'denied' });
    expect(win.dataLayer).toHaveLength(1);
    const entry = win.dataLayer![0] as IArguments;
    expect(isArguments(entry)).toBe(true);
    expect(Array.from(entry)).toEqual([
      'consent',
      'update',
      { analytics_storage: 'granted', ad_personalization: 'denied', ad_user_data: 'denied' },
    ]);
    expect(JSON.parse(JSON.stringify(entry[2]))).toEqual(entry[2]); // no hidden enumerable fields
  });

  it('without gtag, pushes the same arguments object onto a (new) dataLayer', () => {
    const win: Win = {};
    mirrorToConsentMode(win, { measurement: 'granted', personalization: 'granted' });
    const entry = win.dataLayer![0] as IArguments;
    expect(isArguments(entry)).toBe(true);
    expect(Array.from(entry)).toEqual([
      'consent',
      'update',
      { analytics_storage: 'granted', ad_personalization: 'granted', ad_user_data: 'granted' },
    ]);
  });

  it("treats 'unset' as denied and honours a custom map (ad_storage)", () => {
    const win = withGtag();
    mirrorToConsentMode(win, { measurement: 'unset', ads: 'granted' }, { analytics_storage: ['measurement'], ad_storage: ['ads'] });
    expect((win.dataLayer![0] as IArguments)[2]).toEqual({ analytics_storage: 'denied', ad_storage: 'granted' });
  });

  it('never throws, even when gtag does', () => {
    const win = { gtag: () => { throw new Error('x'); } };
    expect(() => mirrorToConsentMode(win, { measurement: 'granted' })).not.toThrow();
    expect(() => mirrorToConsentMode(null, { measurement: 'granted' })).not.toThrow();
  });
});

describe('readConsentMode', () => {
  it('replays default then update (latest wins) at connect, then observes later gtag calls', () => {
    const win = withGtag();
    win.gtag('consent', 'default', { analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', wait_for_update: 500 });
    win.gtag('js', new Date(0));
    win.gtag('consent', 'update', { analytics_storage: 'granted' });
    const seen: Array<Record<string, boolean>> = [];
    const disconnect = readConsentMode(win, (c) => seen.push(c));
    expect(seen).toEqual([{ measurement: true, personalization: false }]);

    win.gtag('consent', 'update', { ad_personalization: 'granted', ad_user_data: 'granted' });
    expect(seen[1]).toEqual({ measurement: true, personalization: true });
    win.gtag('event', 'page_view'); // not a consent command
    expect(seen).toHaveLength(2);
    win.gtag('consent', 'update', { analytics_storage: 'denied' });
    expect(seen[2]).toEqual({ measurement: false, personalization: true });

    disconnect();
    expect(win.dataLayer!.push).toBe(Array.prototype.push);
    win.gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(seen).toHaveLength(3);
  });

  it('an update overrides a default even when the default comes later', () => {
    const win = withGtag();
    win.gtag('consent', 'update', { analytics_storage: 'granted' });
    win.gtag('consent', 'default', { analytics_storage: 'denied' });
    const seen: Array<Record<string, boolean>> = [];
    readConsentMode(win, (c) => seen.push(c));
    expect(seen).toEqual([{ measurement: true }]);
  });

  it('emits nothing when no consent command exists; creates the dataLayer if missing', () => {
    const win: Win = {};
    const seen: unknown[] = [];
    readConsentMode(win, (c) => seen.push(c));
    expect(seen).toEqual([]);
    expect(Array.isArray(win.dataLayer)).toBe(true);
    const gtag = function () {
      // eslint-disable-next-line prefer-rest-params
      win.dataLayer!.push(arguments);
    } as (...a: unknown[]) => void;
    gtag('consent', 'default', { ad_personalization: 'granted' });
    expect(seen).toEqual([{ personalization: true }]);
  });

  it('ignores plain arrays (gtag only honours arguments), region-scoped defaults and cohortkit echoes', () => {
    const win = withGtag();
    win.dataLayer!.push(['consent', 'update', { analytics_storage: 'granted' }]);
    win.gtag('consent', 'default', { analytics_storage: 'granted', region: ['US-CA'] });
    const seen: unknown[] = [];
    readConsentMode(win, (c) => seen.push(c));
    mirrorToConsentMode(win, { measurement: 'granted', personalization: 'granted' });
    expect(seen).toEqual([]);
    win.gtag('consent', 'default', { analytics_storage: 'denied' });
    expect(seen).toEqual([{ measurement: false }]);
  });

  it("push keeps its return value and a throwing listener never breaks the page's push", () => {
    const win = withGtag();
    readConsentMode(win, () => {
      throw new Error('boom');
    });
    expect(win.dataLayer!.push({ event: 'x' })).toBe(1);
    expect(() => win.gtag('consent', 'update', { analytics_storage: 'granted' })).not.toThrow();
    expect(win.dataLayer).toHaveLength(2);
  });

  it('disconnect leaves a later wrapper in place and goes inert', () => {
    const win = withGtag();
    const seen: unknown[] = [];
    const disconnect = readConsentMode(win, (c) => seen.push(c));
    const dl = win.dataLayer!;
    const ours = dl.push;
    const theirs = function (this: unknown, ...a: unknown[]) {
      return ours.apply(this, a);
    };
    dl.push = theirs;
    disconnect();
    expect(dl.push).toBe(theirs);
    win.gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(seen).toEqual([]);
    expect(dl).toHaveLength(1);
  });
});

describe('mapping', () => {
  const value = fc.constantFrom('granted', 'denied', 'unset') as fc.Arbitrary<'granted' | 'denied' | 'unset'>;
  const purposes = ['a', 'b', 'c', 'measurement', 'personalization'];
  const mapArb: fc.Arbitrary<ConsentModeMap> = fc.record(
    {
      analytics_storage: fc.subarray(purposes),
      ad_user_data: fc.subarray(purposes),
      ad_personalization: fc.subarray(purposes),
      ad_storage: fc.subarray(purposes),
    },
    { requiredKeys: [] },
  );
  const stateArb = fc.record(Object.fromEntries(purposes.map((p) => [p, value])) as Record<string, fc.Arbitrary<'granted' | 'denied' | 'unset'>>);

  it('property: with the default map, reading what was mirrored returns the state (unset -> false)', () => {
    fc.assert(
      fc.property(value, value, (m, p) => {
        const back = fromConsentMode(toConsentMode({ measurement: m, personalization: p }));
        expect(back).toEqual({ measurement: m === 'granted', personalization: p === 'granted' });
      }),
    );
  });

  it('property: for any map, the reverse mapping never grants a purpose that was not granted', () => {
    fc.assert(
      fc.property(mapArb, stateArb, (map, state) => {
        const back = fromConsentMode(toConsentMode(state, map), map);
        for (const p in back) if (back[p]) expect(state[p]).toBe('granted');
      }),
    );
  });

  it('property: for any map, a purpose that has a type of its own round-trips exactly', () => {
    fc.assert(
      fc.property(mapArb, stateArb, (map, state) => {
        const back = fromConsentMode(toConsentMode(state, map), map);
        for (const t of Object.keys(map) as Array<keyof ConsentModeMap>) {
          const ps = map[t]!;
          if (ps.length === 1) expect(back[ps[0]]).toBe(state[ps[0]] === 'granted');
        }
      }),
    );
  });

  it('an explicit denial of a purpose-only type wins over a grant of a shared type', () => {
    expect(fromConsentMode({ analytics_storage: 'denied', ad_user_data: 'granted' })).toEqual({ measurement: false, personalization: true });
    expect(fromConsentMode({ ad_user_data: 'denied' })).toEqual({ measurement: false, personalization: false });
    expect(fromConsentMode({ ad_storage: 'granted' })).toEqual({});
  });

  it('the default map is the documented one', () => {
    expect(DEFAULT_CONSENT_MODE_MAP).toEqual({
      analytics_storage: ['measurement'],
      ad_personalization: ['personalization'],
      ad_user_data: ['measurement', 'personalization'],
    });
  });
});
