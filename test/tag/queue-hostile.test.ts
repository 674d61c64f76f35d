// The window.cohortkit queue against hostile / malformed commands (audit: decide/tag.mjs): every
// command is read once, the queue keeps draining, push() settles, a decide callback fires exactly
// once, and the queue's errors reach on('error') of the real Client (which has no emit()).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/client';
import { isCohortkitError } from '../../src/errors';
import { installCommandQueue } from '../../src/tag';
import type { DecideRequest } from '../../src/types';
import { deferredFactory, fakeClient, tick } from './fake-client';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

const req: DecideRequest = { slot: 'hero', variants: [{ segment: 'a', value: 1 }], fallback: 'F' };
const throwing0 = () => Object.defineProperty([], 0, { get: () => { throw new Error('getter on [0]'); } }) as unknown[];
const hostile = () => [
  throwing0(),
  [Object.create(null), 'x'],
  new Proxy([], { get: () => { throw new Error('proxy'); } }),
  null,
  'track',
];
const noMatch = (value: unknown) => ({ value, reason: 'no-match' });
const codes = (errors: unknown[]) => errors.map((e) => isCohortkitError(e) && e.code);

describe('command queue: hostile commands', () => {
  it('after init: a malformed command settles, is reported to on("error"), and the queue keeps running', async () => {
    const client = fakeClient();
    const q = await installCommandQueue({ cohortkit: [['init', {}]] }, deferredFactory(client, true).create);
    const errors: unknown[] = [];
    q.on('error', (e) => errors.push(e));
    for (const c of hostile()) await expect(q.push(c as never)).resolves.toBeUndefined();
    await expect(q.push(['track', 'after'])).resolves.toEqual({ stored: true, reason: 'stored' });
    expect(client.calls).toEqual([['track', 'after', undefined]]);
    expect(codes(errors)).toEqual(hostile().map(() => 'invalid-argument'));
    expect(warn).not.toHaveBeenCalled(); // a listener took them
  });

  it('while init is pending: a malformed command neither rejects nor blocks a later init', async () => {
    const client = fakeClient();
    const f = deferredFactory(client);
    const win: { cohortkit?: unknown } = {};
    const ready = installCommandQueue(win, f.create);
    const pending = win.cohortkit as { push(c: unknown): Promise<unknown> };
    const bad = hostile().map((c) => pending.push(c));
    const init = pending.push(['init', {}]);
    const track = pending.push(['track', 'x']);
    f.release();
    await expect(Promise.all(bad)).resolves.toEqual(bad.map(() => undefined));
    await expect(init).resolves.toBe(client);
    await expect(track).resolves.toEqual({ stored: true, reason: 'stored' });
    await ready;
    expect(client.calls).toEqual([['track', 'x', undefined]]);
    expect(warn).toHaveBeenCalledTimes(bad.length); // no listener yet: one warning each
  });

  it('before load: hostile entries of the array are dropped; the rest replays', async () => {
    const client = fakeClient();
    const cb = vi.fn();
    const win = { cohortkit: [...hostile(), ['init', {}], ['decide', req, cb]] as unknown };
    await expect(installCommandQueue(win, deferredFactory(client, true).create)).resolves.toBe(client);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cb).toHaveBeenCalledWith(noMatch('F'), undefined);
    expect(warn).toHaveBeenCalledTimes(hostile().length);
  });

  it('calls a decide callback exactly once with the fallback when the request is malformed or unreadable', async () => {
    const client = fakeClient(async (r) => {
      if (!Array.isArray(r.variants)) throw new Error('variants must be an array');
      return noMatch(r.fallback) as never; // reads fallback: throws for the getter
    });
    const q = await installCommandQueue({ cohortkit: [['init', {}]] }, deferredFactory(client, true).create);
    const errors: unknown[] = [];
    q.on('error', (e) => errors.push(e));
    const getter = Object.defineProperty({ slot: 'hero', variants: [] }, 'fallback', { enumerable: true, get: () => { throw new Error('fallback getter'); } });
    const cases: Array<[unknown, unknown]> = [[null, undefined], ['x', undefined], [getter, undefined], [{ slot: 'a', variants: 0, fallback: 7 }, 7]];
    for (const [request, value] of cases) {
      const cb = vi.fn();
      await expect(q.push(['decide', request, cb] as never)).resolves.toEqual(noMatch(value));
      expect(cb).toHaveBeenCalledTimes(1);
      expect(cb.mock.calls[0][0]).toEqual(noMatch(value));
      expect(cb.mock.calls[0][1]).toBeInstanceOf(Error);
    }
    expect(codes(errors)).toEqual(cases.map(() => 'invalid-argument'));
  });

  it('a callback throwing an unprintable value never reaches the page', async () => {
    const q = await installCommandQueue({ cohortkit: [['init', {}]] }, deferredFactory(fakeClient(), true).create);
    const cb = () => {
      throw new Proxy({}, { get: () => { throw new Error('x'); }, getPrototypeOf: () => { throw new Error('x'); } });
    };
    await expect(q.push(['decide', req, cb])).resolves.toEqual(noMatch('F'));
    await expect(q.push(['track', 'still'])).resolves.toEqual({ stored: true, reason: 'stored' });
  });

  it('answers decides queued behind a failed init with their fallback; track waits for a retry', async () => {
    const client = fakeClient();
    let attempts = 0;
    const create = async () => {
      if (attempts++ === 0) throw new Error('invalid options');
      return client;
    };
    const cb = vi.fn();
    const win: { cohortkit?: unknown } = { cohortkit: [['decide', req, cb], ['init', { bad: 1 }], ['track', 'kept'], ['decide', req]] };
    const ready = installCommandQueue(win, create as never);
    const later = (win.cohortkit as { push(c: unknown): Promise<unknown> }).push(['decide', req]);
    await tick();
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cb.mock.calls[0][0]).toEqual(noMatch('F'));
    expect((cb.mock.calls[0][1] as Error).message).toBe('invalid options');
    await expect(later).resolves.toEqual(noMatch('F'));
    (win.cohortkit as { push(c: unknown): unknown }).push(['init', {}]);
    await ready;
    expect(client.calls).toEqual([['track', 'kept', undefined]]); // the answered decides do not run (no exposure)
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('a malformed init warns at once and counts as a failed init; a queued valid init still serves decides', async () => {
    const cb = vi.fn();
    const f = deferredFactory(fakeClient());
    installCommandQueue({ cohortkit: [['init', 'nope'], ['decide', req, cb]] }, f.create);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][1])).toContain("malformed command 'init'");
    await tick();
    expect(cb).toHaveBeenCalledTimes(1);
    expect(cb.mock.calls[0][0]).toEqual(noMatch('F'));
    expect(f.inits).toEqual([]);

    const served = vi.fn();
    const client = fakeClient((r) => ({ value: r.variants[0].value, reason: 'segment', segment: 'a' }));
    await installCommandQueue({ cohortkit: [['init', 'nope'], ['decide', req, served], ['init', {}]] }, deferredFactory(client, true).create);
    expect(served).toHaveBeenCalledTimes(1);
    expect(served).toHaveBeenCalledWith({ value: 1, reason: 'segment', segment: 'a' }, undefined);
  });
});

describe('command queue with the real Client', () => {
  it('delivers command errors to on("error") added through window.cohortkit, and stops on unsubscribe', async () => {
    const win: { cohortkit?: unknown } = { cohortkit: [['init', { storage: 'memory' }]] };
    const q = await installCommandQueue(win, createClient);
    expect(win.cohortkit).toBe(q);
    expect('emit' in q).toBe(false);
    const errors: unknown[] = [];
    const off = q.on('error', (e) => errors.push(e));
    const cb = vi.fn();
    await expect(q.push(['decide', null, cb] as never)).resolves.toEqual(noMatch(undefined));
    await q.push(throwing0() as never);
    await q.push(['track', 'view', { nested: { a: 1 } }] as never); // the client rejects it
    await expect(q.push(['track', 'view'])).resolves.toBeDefined();
    expect(cb).toHaveBeenCalledTimes(1);
    expect(codes(errors)).toEqual(['invalid-argument', 'invalid-argument', 'invalid-argument']);
    off();
    await q.push(['decide', null] as never);
    expect(errors).toHaveLength(3);
    expect(warn).toHaveBeenCalledTimes(1); // no listener left: the console
    await q.close();
  });
});
