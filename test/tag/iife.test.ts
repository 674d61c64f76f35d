import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DecideRequest, Decision } from '../../src/types';
import { fakeClient, tick } from './fake-client';

let decision: { reason: Decision['reason']; segment?: string } = { reason: 'no-consent' };
const client = fakeClient((req: DecideRequest) => {
  const v = req.variants.find((x) => x.segment === decision.segment);
  return decision.reason === 'segment' && v
    ? { value: v.value, reason: 'segment', segment: v.segment }
    : { value: req.fallback, reason: decision.reason };
});
const createClient = vi.fn(async () => client);
vi.mock('../../src/client', () => ({ createClient }));

const w = window as unknown as { cohortkit?: unknown; cohortkitConfig?: unknown };
afterEach(() => {
  delete w.cohortkit;
  delete w.cohortkitConfig;
});

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 50 && !ok(); i++) await tick();
  expect(ok()).toBe(true);
};

describe('tag IIFE entry', () => {
  it('installs the queue, inits from window.cohortkitConfig, fills slots and refills on consent / segments', async () => {
    const slot = document.createElement('div');
    slot.setAttribute('data-cohortkit-slot', 'hero');
    const tpl = document.createElement('template');
    tpl.setAttribute('data-variant', 'fans');
    tpl.content.append('Hi fan');
    slot.append('Default', tpl);
    document.body.append(slot);
    w.cohortkitConfig = { namespace: 'tag' };
    w.cohortkit = [['track', 'page_view']];

    const mod = await import('../../src/tag/iife');
    expect(Object.keys(mod).sort()).toEqual(
      ['CohortkitError', 'createClient', 'fillSlots', 'isCohortkitError', 'refreshSlots', 'version'].sort(),
    );
    expect(mod.version).toMatch(/^\d+\.\d+\.\d+/);
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'no-consent');
    expect(createClient).toHaveBeenCalledWith({ namespace: 'tag' });
    expect(w.cohortkit).toBe(client);
    expect(client.calls[0]).toEqual(['track', 'page_view', undefined]);
    expect(slot.textContent).toBe('Default');

    decision = { reason: 'segment', segment: 'fans' };
    client.emit('consent', { personalization: 'granted' });
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'segment');
    expect(slot.firstChild!.textContent).toBe('Hi fan');

    decision = { reason: 'no-match' };
    client.emit('segments', []);
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'no-match');
    expect(slot.firstChild!.textContent).toBe('Default');
  });
});
