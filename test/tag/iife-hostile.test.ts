// The IIFE entry loads whatever the page queued before it: an entry whose [0] getter throws must
// not make the bundle throw at load (audit: decide/tag.mjs "getter0"); the queue is installed.
import { expect, it, vi } from 'vitest';
import { fakeClient, tick } from './fake-client';

const client = fakeClient();
vi.mock('../../src/client', () => ({ createClient: async () => client }));
vi.mock('../../src/tag/load-personalize', () => ({ loadPersonalize: async () => ({ fillSlots: async () => {} }) }));

it('installs the queue although a queued entry has a throwing [0] getter', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const bad = Object.defineProperty([], 0, { get: () => { throw new Error('getter on [0]'); } });
  const cb = vi.fn();
  const w = window as unknown as { cohortkit?: unknown };
  w.cohortkit = [bad, ['init', {}], ['decide', { slot: 'a', variants: [], fallback: 'F' }, cb]];
  await expect(import('../../src/tag/iife')).resolves.toBeDefined();
  for (let i = 0; i < 20 && w.cohortkit !== client; i++) await tick();
  expect(w.cohortkit).toBe(client);
  expect(cb).toHaveBeenCalledWith({ value: 'F', reason: 'no-match' }, undefined);
  expect(warn).toHaveBeenCalledTimes(1);
  warn.mockRestore();
});
