import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DecideRequest, Decision } from '../../src/types';
import { fakeClient, fire, tick } from './fake-client';

let decision: { reason: Decision['reason']; segment?: string } = { reason: 'no-consent' };
const client = fakeClient((req: DecideRequest) => {
  const v = req.variants.find((x) => x.segment === decision.segment);
  return decision.reason === 'segment' && v
    ? { value: v.value, reason: 'segment', segment: v.segment }
    : { value: req.fallback, reason: decision.reason };
});
const createClient = vi.fn(async () => client);
vi.mock('../../src/client', () => ({ createClient }));
// As the bundle does from cohortkit-personalize.js: the slots come from the add-on (counted; can fail).
const addon = vi.hoisted(() => ({ loads: 0, fail: false }));
vi.mock('../../src/tag/load-personalize', () => ({
  loadPersonalize: async () => {
    addon.loads++;
    if (addon.fail) throw Object.assign(new Error('cohortkit: add-on cohortkit-personalize.js could not be loaded from x'), { code: 'network' });
    return { fillSlots: (await import('../../src/tag/slots')).fillSlots };
  },
}));

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
    // the release of package.json: the add-ons the bundle loads must name the same one
    const { readFileSync } = await import('node:fs');
    expect(mod.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'no-consent');
    expect(createClient).toHaveBeenCalledWith({ namespace: 'tag' });
    expect(w.cohortkit).toBe(client);
    expect(client.calls[0]).toEqual(['track', 'page_view', undefined]);
    expect(slot.textContent).toBe('Default');

    decision = { reason: 'segment', segment: 'fans' };
    fire(client, 'consent', { personalization: 'granted' });
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'segment');
    expect(slot.firstChild!.textContent).toBe('Hi fan');

    decision = { reason: 'no-match' };
    fire(client, 'segments', []);
    await until(() => slot.getAttribute('data-cohortkit-reason') === 'no-match');
    expect(slot.firstChild!.textContent).toBe('Default');
  });

  it('fetches the add-on only for a root that holds a slot; if it cannot load, each slot keeps its content and reads "error"', async () => {
    const mod = await import('../../src/tag/iife');
    const before = addon.loads;
    const plain = document.createElement('section');
    plain.innerHTML = '<p>no slots here</p>';
    await mod.fillSlots(plain, client);
    expect(addon.loads).toBe(before);

    const root = document.createElement('section');
    root.innerHTML = '<div data-cohortkit-slot="a">A<template data-variant="fans">x</template></div><div data-cohortkit-slot="b">B</div>';
    addon.fail = true;
    const seen: Array<[string, string | null]> = [];
    await mod.refreshSlots(root, client, { onError: (e, el) => seen.push([(e as { code: string }).code, el.getAttribute('data-cohortkit-slot')]) });
    addon.fail = false;
    expect(addon.loads).toBe(before + 1);
    expect(seen).toEqual([['network', 'a'], ['network', 'b']]);
    expect([...root.children].map((el) => [el.textContent, el.getAttribute('data-cohortkit-reason')])).toEqual([['A', 'error'], ['B', 'error']]);
    // a later fill tries again and succeeds
    decision = { reason: 'no-match' };
    await mod.fillSlots(root, client);
    expect([...root.children].map((el) => el.getAttribute('data-cohortkit-reason'))).toEqual(['no-match', 'no-match']);
  });

  it('fetches the add-on at load for a queued decide command (no slot in the page), and not for other commands', async () => {
    for (const [queue, expected] of [
      [[['track', 'page_view']], 0],
      [[['track', 'page_view'], ['decide', { slot: 'hero', variants: [], fallback: 1 }]], 1],
    ] as const) {
      document.body.innerHTML = '';
      vi.resetModules();
      w.cohortkit = queue.map((c) => [...c]);
      const before = addon.loads;
      await import('../../src/tag/iife');
      expect(addon.loads - before).toBe(expected);
      await until(() => !Array.isArray(w.cohortkit)); // replayed
    }
  });
});
