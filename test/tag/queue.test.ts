import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import { installCommandQueue, type QueuedClient } from '../../src/tag';
import type { DecideRequest } from '../../src/types';
import { deferredFactory, fakeClient, tick } from './fake-client';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

const req: DecideRequest = { slot: 'hero', variants: [{ segment: 'a', value: 1 }], fallback: 0 };

describe('installCommandQueue', () => {
  it('replays commands pushed before load in order, those before init included', async () => {
    const client = fakeClient((r) => ({ value: r.variants[0].value, reason: 'segment', segment: 'a' }));
    const f = deferredFactory(client, true);
    const cb = vi.fn();
    const win: { cohortkit?: unknown } = {
      cohortkit: [
        ['track', 'before', { n: 1 }],
        ['consent', { personalization: true }, { source: 'banner' }],
        ['init', { namespace: 'x' }],
        ['track', 'after'],
        ['decide', req, cb],
      ],
    };
    const ready = await installCommandQueue(win, f.create);
    expect(f.inits).toEqual([{ namespace: 'x' }]);
    expect(client.calls).toEqual([
      ['track', 'before', { n: 1 }],
      ['consent', { personalization: true }, { source: 'banner' }],
      ['track', 'after', undefined],
      ['decide', req],
    ]);
    expect(cb).toHaveBeenCalledWith({ value: 1, reason: 'segment', segment: 'a' }, undefined);
    expect(ready).toBe(client);
    expect(win.cohortkit).toBe(client);
    expect(typeof (win.cohortkit as QueuedClient).push).toBe('function');
    expect(warn).not.toHaveBeenCalled();
  });

  it('holds commands until init resolves, keeping pushes made while init is pending', async () => {
    const client = fakeClient();
    const f = deferredFactory(client);
    const win: { cohortkit?: unknown } = { cohortkit: [['track', 'a'], ['init', {}]] };
    const ready = installCommandQueue(win, f.create);
    const pending = win.cohortkit as { push(c: unknown): unknown };
    expect(Array.isArray(pending)).toBe(false);
    pending.push(['track', 'b']);
    pending.push(['consent', { measurement: false }]);
    await tick();
    expect(f.inits).toHaveLength(1);
    expect(client.calls).toEqual([]);
    expect(win.cohortkit).toBe(pending);
    f.release();
    await ready;
    expect(client.calls.map((c) => c[1])).toEqual(['a', 'b', { measurement: false }]);
    expect(win.cohortkit).toBe(client);
  });

  it('waits for an init pushed after load', async () => {
    const client = fakeClient();
    const f = deferredFactory(client, true);
    const win: { cohortkit?: unknown } = { cohortkit: [['track', 'a']] };
    const ready = installCommandQueue(win, f.create);
    await tick();
    expect(f.inits).toEqual([]);
    (win.cohortkit as { push(c: unknown): unknown }).push(['init', { namespace: 'late' }]);
    await ready;
    expect(f.inits).toEqual([{ namespace: 'late' }]);
    expect(client.calls).toEqual([['track', 'a', undefined]]);
  });

  it('awaits each command before the next (a consent applies before a later track)', async () => {
    const log: string[] = [];
    const client = fakeClient();
    client.consent.update = async () => {
      log.push('consent:start');
      await tick();
      await tick();
      log.push('consent:end');
      return {};
    };
    client.track = async (name) => {
      log.push('track:' + name);
      return { stored: true, reason: 'stored' };
    };
    const win = { cohortkit: [['consent', { personalization: true }], ['track', 'x'], ['init']] as unknown };
    await installCommandQueue(win, deferredFactory(client, true).create);
    expect(log).toEqual(['consent:start', 'consent:end', 'track:x']);
  });

  it('after init, push runs a command at once and resolves with its result', async () => {
    const client = fakeClient();
    const win: { cohortkit?: unknown } = { cohortkit: [['init', {}]] };
    const q = await installCommandQueue(win, deferredFactory(client, true).create);
    const p = q.push(['track', 'now', { a: 1 }]);
    expect(client.calls).toEqual([['track', 'now', { a: 1 }]]); // synchronously started
    await expect(p).resolves.toEqual({ stored: true, reason: 'stored' });
    await expect(q.push(['decide', req])).resolves.toEqual({ value: 0, reason: 'no-match' });
  });

  it('isolates a throwing decide callback and reports it; later commands still run', async () => {
    const client = fakeClient();
    const onError = vi.fn();
    const win = {
      cohortkit: [
        ['init', {}],
        ['decide', req, () => { throw new Error('page bug'); }],
        ['track', 'later'],
      ] as unknown,
    };
    await installCommandQueue(win, deferredFactory(client, true).create, { onError });
    expect(client.calls.map((c) => c[0] + ':' + (typeof c[1] === 'string' ? c[1] : ''))).toEqual(['decide:', 'track:later']);
    expect(onError).toHaveBeenCalledTimes(1);
    const err = onError.mock.calls[0][0];
    expect(isCohortkitError(err)).toBe(true);
    expect((err as Error).message).toContain('page bug');
  });

  it('routes client rejections to the client error channel, never to the page', async () => {
    const client = fakeClient(); // like the real Client: no emit()
    const errors: unknown[] = [];
    client.track = async () => {
      throw new Error('boom');
    };
    client.decide = async () => {
      throw new Error('nope');
    };
    const cb = vi.fn();
    const q = await installCommandQueue({ cohortkit: [['init', {}]] }, deferredFactory(client, true).create);
    q.on('error', (e) => errors.push(e)); // as a page does, through window.cohortkit
    await expect(q.push(['track', 'x'])).resolves.toBeUndefined();
    await expect(q.push(['decide', req, cb])).resolves.toEqual({ value: 0, reason: 'no-match' });
    expect(cb).toHaveBeenCalledWith({ value: 0, reason: 'no-match' }, expect.any(Error));
    expect(errors).toHaveLength(2);
    expect(errors.every(isCohortkitError)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('ignores malformed commands with one warning each', async () => {
    const client = fakeClient();
    const bad = ['track', ['nope', 1], ['track', 5], ['consent'], ['decide', req, 'not-a-function'], ['init', 'x'], null];
    const win = { cohortkit: [...bad, ['init', {}], ['track', 'ok']] as unknown };
    const q = await installCommandQueue(win, deferredFactory(client, true).create);
    expect(client.calls).toEqual([['track', 'ok', undefined]]);
    expect(warn).toHaveBeenCalledTimes(bad.length);
    warn.mockClear();
    await q.push(['init', {}] as never);
    expect(warn).toHaveBeenCalledTimes(1); // a second init is ignored
  });

  it('initialises from opts.config when the queue has no init; an explicit init wins', async () => {
    const a = deferredFactory(fakeClient(), true);
    await installCommandQueue({}, a.create, { config: Promise.resolve({ namespace: 'cfg' }) });
    expect(a.inits).toEqual([{ namespace: 'cfg' }]);

    const b = deferredFactory(fakeClient(), true);
    await installCommandQueue({ cohortkit: [['init', { namespace: 'cmd' }]] }, b.create, { config: { namespace: 'cfg' } });
    expect(b.inits).toEqual([{ namespace: 'cmd' }]);

    const c = deferredFactory(fakeClient(), true);
    await installCommandQueue({ cohortkit: [['init']] }, c.create, { config: { namespace: 'cfg' } });
    expect(c.inits).toEqual([{ namespace: 'cfg' }]);
  });

  it('does not initialise when the config resolves to nothing, until an init is pushed', async () => {
    const f = deferredFactory(fakeClient(), true);
    const win: { cohortkit?: unknown } = {};
    const ready = installCommandQueue(win, f.create, { config: Promise.resolve(undefined) });
    await tick();
    expect(f.inits).toEqual([]);
    (win.cohortkit as { push(c: unknown): unknown }).push(['init', { namespace: 'n' }]);
    await ready;
    expect(f.inits).toEqual([{ namespace: 'n' }]);
  });

  it('survives a failed init and retries on the next init command', async () => {
    const client = fakeClient();
    let attempts = 0;
    const create = async () => {
      if (attempts++ === 0) throw new Error('invalid options');
      return client;
    };
    const win: { cohortkit?: unknown } = { cohortkit: [['init', { bad: 1 }], ['track', 'kept']] };
    const ready = installCommandQueue(win, create as never);
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(client.calls).toEqual([]);
    (win.cohortkit as { push(c: unknown): unknown }).push(['init', {}]);
    await ready;
    expect(client.calls).toEqual([['track', 'kept', undefined]]);
  });

  it('installing twice keeps the first queue', async () => {
    const f = deferredFactory(fakeClient(), true);
    const win: { cohortkit?: unknown } = { cohortkit: [['init', {}]] };
    const first = installCommandQueue(win, f.create);
    const second = installCommandQueue(win, f.create);
    expect(second).toBe(first);
    await first;
    expect(installCommandQueue(win, f.create)).toBe(first);
    expect(f.inits).toHaveLength(1);
  });

  it('property: whatever init position and push timing, commands run once each, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 8 }),
        fc.nat(8),
        fc.nat(8),
        async (names, initAt, preLoad) => {
          const client = fakeClient();
          const f = deferredFactory(client);
          const cmds: unknown[] = names.map((n) => ['track', n]);
          cmds.splice(Math.min(initAt, cmds.length), 0, ['init', {}]);
          const cut = Math.min(preLoad, cmds.length);
          const win: { cohortkit?: unknown } = { cohortkit: cmds.slice(0, cut) };
          const ready = installCommandQueue(win, f.create);
          for (const c of cmds.slice(cut)) (win.cohortkit as { push(c: unknown): unknown }).push(c);
          f.release();
          const q = await ready;
          await q.push(['track', 'end']);
          expect(client.calls.map((c) => c[1])).toEqual([...names, 'end']);
          expect(f.inits).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
