// A page going away (navigation, closed tab) runs no task after visibilitychange → hidden, and a
// fetch started after an IndexedDB read never leaves it (measured in Chromium, Firefox and WebKit:
// docs/browsers.md). So the queued reports are fetched in the same task as the event.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import type { ClientOptions, LDPReport } from '../../src/types';

let n = 0;
const opts = (): ClientOptions => ({
  namespace: `leave${Date.now().toString(36)}${n++}`,
  segments: [{ id: 'reader', description: 'reads', rule: { event: 'article_view' } }],
  cohorts: [
    { id: 'lifecycle', description: 'who', cohorts: [{ id: 'readers', segment: 'reader' }], fallback: 'others' },
    { id: 'interest', description: 'what', cohorts: [{ id: 'news', segment: 'reader' }], fallback: 'other' },
  ],
  report: { endpoint: 'https://collector.example/v1/reports' },
});

let up = false;
const delivered: LDPReport[] = [];
const fetchStub = vi.fn(async (_url: string, init: RequestInit) => {
  if (!up) throw new TypeError('Failed to fetch');
  const body = JSON.parse(String(init.body));
  delivered.push(...(Array.isArray(body) ? body : [body]));
  return new Response('{}', { status: 202 });
});
let visibility: DocumentVisibilityState = 'visible';
const hide = () => {
  visibility = 'hidden';
  document.dispatchEvent(new Event('visibilitychange'));
};
const original = globalThis.fetch;
beforeEach(() => {
  up = false;
  delivered.length = 0;
  fetchStub.mockClear();
  visibility = 'visible';
  globalThis.fetch = fetchStub as never;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});
afterEach(() => {
  globalThis.fetch = original;
  delete (document as { visibilityState?: unknown }).visibilityState;
});

/** A client whose two reports are queued (the collector was unreachable). */
async function queued() {
  const c = await createClient(opts());
  await c.consent.update({ personalization: true, measurement: true });
  expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
  up = true;
  fetchStub.mockClear();
  return c;
}

describe('reports leave with the page', () => {
  it('hidden: the queued reports are fetched in the same task (keepalive), then settled once', async () => {
    const c = await queued();
    hide();
    expect(fetchStub).toHaveBeenCalledTimes(1); // synchronously: no await between the event and fetch
    expect(fetchStub.mock.calls[0]![1]).toMatchObject({ keepalive: true, credentials: 'omit', referrerPolicy: 'no-referrer' });
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 }); // waits for the pass; nothing left
    expect(delivered.map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(new Set(delivered.map((r) => r.id)).size).toBe(delivered.length); // none sent twice
    await c.close();
  });

  it('visible, or after measurement is withdrawn: nothing is sent from the last read', async () => {
    const c = await queued();
    document.dispatchEvent(new Event('visibilitychange')); // still visible
    expect(fetchStub).not.toHaveBeenCalled();
    await c.consent.update({ measurement: false });
    fetchStub.mockClear();
    hide();
    await new Promise((r) => setTimeout(r, 20));
    expect(fetchStub).not.toHaveBeenCalled();
    expect(delivered).toEqual([]);
    await c.close();
  });

  it('a closed client sends nothing when hidden', async () => {
    const c = await queued();
    await c.close();
    hide();
    await new Promise((r) => setTimeout(r, 20));
    expect(fetchStub).not.toHaveBeenCalled();
  });
});
