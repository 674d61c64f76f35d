// A polluted Object.prototype (an enumerable key a page's script or an old library added) is
// never read as a purpose: consent.update, the interop options and the CMP adapters walk own
// keys only. Before, with Object.prototype.x set, every consent.update rejected
// `choices.x: expected a boolean` and a TCF/GPP map gained a purpose "x".
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { validateChoices } from '../../src/consent/manager';
import { validateInterop } from '../../src/consent/interop-validate';
import { fromConsentMode, mapGPPData, mapTCData } from '../../src/consent/adapters/index';

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  delete proto.x;
  delete proto.ads;
});

describe('consent with a polluted Object.prototype', () => {
  it('consent.update resolves and records only the declared purposes', async () => {
    const client = await createClient({ storage: 'memory', namespace: 'proto-consent', purposes: ['personalization', 'measurement'] });
    proto.x = 'evil';
    const state = await client.consent.update({ personalization: true });
    expect(Object.keys(state)).toEqual(['personalization', 'measurement']);
    expect(client.consent.get()).toEqual({ personalization: 'granted', measurement: 'unset' });
    const ledger = await client.consent.history();
    expect(ledger.map((e) => [e.purpose, e.granted])).toEqual([['personalization', true]]);
    expect(await client.consent.verify()).toBe(true);
    await client.close();
  });

  it('validateChoices keeps own keys only', () => {
    proto.x = 'evil';
    expect(validateChoices(['a', 'b'], { a: false }, undefined).choices).toEqual({ a: false });
    expect(Object.keys(validateChoices(['a'], { a: true }, undefined).choices)).toEqual(['a']);
  });

  it('an inherited tcf/gpp map entry is not a purpose (the options still validate)', () => {
    proto.x = 'evil';
    const v = validateInterop({ tcf: { map: { ads: [1] } }, gpp: { map: { ads: ['usnat.SaleOptOut'] } } }, ['ads'])!;
    expect(Object.keys(v.tcf!.map)).toEqual(['ads']);
    expect(Object.keys(v.gpp!.map)).toEqual(['ads']);
  });

  it('mapTCData and mapGPPData give only the mapped purposes', () => {
    proto.x = [1];
    const tc = { gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: { 1: true } } };
    expect(mapTCData(tc, { ads: [1] })).toEqual({ ads: true });
    expect(Object.keys(mapTCData(tc, { ads: [1] })!)).toEqual(['ads']);
    proto.x = ['usnat.SaleOptOut'];
    const sections = { usnat: { SaleOptOut: 2 } };
    expect(Object.keys(mapGPPData(sections, { ads: ['usnat.SaleOptOut'] }))).toEqual(['ads']);
  });

  it('fromConsentMode gives only purposes its map names', () => {
    proto.ads = true;
    proto.x = true;
    const out = fromConsentMode({ ad_storage: 'granted' }, { ad_storage: ['ads'] } as never);
    expect(Object.keys(out)).toEqual(['ads']);
    expect(out).toEqual({ ads: true });
  });
});
