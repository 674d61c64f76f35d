// The collector dashboard (examples/collector/dashboard.js, chart.js) against hostile or huge
// collector answers, in happy-dom: the real module on the real index.html, fetch faked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// Imported in each test: a helper missing from the module fails its own test, not the file.
const at = (f: string) => `../../examples/collector/${f}`;
const chartJs = () => import(/* @vite-ignore */ at('chart.js'));
const refreshJs = () => import(/* @vite-ignore */ at('refresh.js'));

const ROOT = join(__dirname, '..', '..');
const BODY = /<body>([\s\S]*)<\/body>/.exec(readFileSync(join(ROOT, 'examples/collector/index.html'), 'utf8'))![1]!;
const TODAY = 20400;

type Json = unknown;
type Cohort = { id: string; estimate: unknown; stderr?: unknown; ci95?: unknown; suppressed?: boolean };
const sp = (id: string, k: number, extra: object = {}) => ({ id, version: 1, description: `space ${id}`, k, cohorts: [], epochs: [TODAY], ...extra });
const est = (id: string, k: number, f: (c: Cohort, i: number) => Cohort = (c) => c): Record<string, unknown> => ({
  space: id,
  epoch: TODAY,
  n: 1000,
  rejected: {},
  cohorts: Array.from({ length: k }, (_, i) => f({ id: `c${i}`, estimate: 100 + i, stderr: 10, ci95: [80 + i, 120 + i], suppressed: false }, i)),
});

/** A fake collector: `/v1/spaces` and `/v1/estimates` from `data`; `/qa/truth` and the catalog 404. */
function fakeCollector(data: { spaces: Json; estimates: Record<string, Json> }, gate?: () => Promise<void>) {
  const calls: string[] = [];
  const reply = (status: number, body: Json) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = vi.fn(async (url: string) => {
    const u = new URL(url, 'http://127.0.0.1:8787');
    calls.push(u.pathname);
    if (u.pathname === '/v1/spaces') {
      await gate?.();
      return reply(200, data.spaces);
    }
    if (u.pathname === '/v1/estimates') return reply(200, data.estimates[u.searchParams.get('space')!] ?? {});
    return reply(404, { error: 'not found' });
  });
  return { fetch, calls };
}

/** A fresh dashboard module on a fresh copy of index.html, with `hash` in the address. */
async function openDashboard(fetch: unknown, hash = '') {
  document.body.innerHTML = BODY;
  delete document.body.dataset.loaded;
  sessionStorage.clear();
  history.replaceState(null, '', `/dashboard/${hash}`);
  vi.stubGlobal('fetch', fetch);
  vi.resetModules();
  const errors: unknown[] = [];
  // A plain ES module with side effects (reset above: each import runs it again).
  await import(/* @vite-ignore */ at('dashboard.js')).catch((e: unknown) => errors.push(e));
  return { errors };
}
const loaded = () => Number(document.body.dataset.loaded ?? 0);
const card = (id: string) => document.querySelector<HTMLElement>(`#spaces section.card[data-space="${id}"]`);
const badAttrs = () =>
  [...document.querySelectorAll('svg *')].filter((n) => [...n.attributes].some((a) => /NaN|Infinity|undefined/.test(a.value))).map((n) => n.outerHTML.slice(0, 80));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.clearAllTimers();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('chart.js helpers: non-finite input is "—", never an exception or NaN', () => {
  it('num and fmtDay', async () => {
    const { fmtDay, num } = await chartJs();
    expect(num(12.34)).toBe('12.3');
    expect(num(-1234.4)).toBe((-1234).toLocaleString());
    for (const bad of ['12', NaN, Infinity, -Infinity, undefined, null, {}]) expect(num(bad as number)).toBe('—');
    expect(fmtDay(TODAY)).toBe('2025-11-08');
    for (const bad of [1e12, -1e12, NaN, Infinity, '20400', undefined]) expect(fmtDay(bad as number)).toBe('—');
  });

  it('chart: values near ±1.7e308 and infinite interval ends give finite SVG coordinates', async () => {
    const { chart } = await chartJs();
    const cohorts = [
      { id: 'a', estimate: 1e308, stderr: 1e308, ci95: [-1.7e308, 1.7e308] },
      { id: 'b', estimate: -1e308, stderr: 1e308, ci95: [-Infinity, Infinity] },
      { id: 'c', estimate: 5, stderr: 1, ci95: [3, 7] },
    ];
    document.body.replaceChildren(chart(cohorts, [{ count: 1.7e308 }, { count: -1.7e308 }, { count: 5 }]));
    expect(document.querySelectorAll('svg g.bar').length).toBe(3);
    expect(badAttrs()).toEqual([]);
  });
});

describe('dashboard: one malformed space does not blank the others (A4)', () => {
  it('missing ci95, missing n, a string estimate, a huge epoch, huge values: each card on its own, saying what is wrong', async () => {
    const spaces = [sp('good', 3), sp('no-ci', 3), sp('no-n', 3), sp('string', 3), sp('huge-epoch', 3, { epochs: [1e12] }), sp('huge', 3), sp('down', 2)];
    const estimates: Record<string, Json> = {
      good: est('good', 3),
      'no-ci': est('no-ci', 3, (c) => ({ ...c, ci95: undefined })),
      'no-n': { ...est('no-n', 3), n: undefined },
      string: est('string', 3, (c) => ({ ...c, estimate: '12' })),
      'huge-epoch': { ...est('huge-epoch', 3), epoch: 1e12 },
      huge: est('huge', 3, (c, i) => ({ ...c, estimate: i ? -1e308 : 1e308, ci95: [-1.7e308, 1.7e308], stderr: 1e308 })),
      // 'down' has no estimate at all: the fake answers {} (no cohorts)
    };
    const { fetch } = fakeCollector({ spaces: { spaces, today: TODAY, rejected: {} }, estimates });
    const { errors } = await openDashboard(fetch, `#token=t0k`);
    expect(errors).toEqual([]);
    await vi.waitFor(() => expect(loaded()).toBeGreaterThan(0));
    expect(document.getElementById('updated')!.textContent).not.toMatch(/error/);
    // The good card is whole.
    expect(card('good')!.querySelectorAll('tbody tr[data-cohort]').length).toBe(3);
    expect(card('good')!.querySelector('tr[data-cohort="c0"]')!.textContent).toContain('80.0 – 120');
    expect(card('good')!.querySelector('svg')).not.toBeNull();
    // Each bad card says what was wrong.
    const problem = (id: string) => card(id)?.querySelector('[data-error]')?.textContent ?? `(no error shown for ${id})`;
    expect(problem('no-ci')).toMatch(/c0.*ci95/);
    expect(problem('no-n')).toMatch(/\bn\b/);
    expect(problem('string')).toMatch(/c0.*estimate/);
    expect(problem('down')).toMatch(/cohorts/);
    // A huge epoch is only a date it cannot print; huge values draw finite coordinates.
    expect(card('huge-epoch')!.querySelector('[data-error]')).toBeNull();
    expect(card('huge-epoch')!.textContent).toContain('epoch 1000000000000 (—)');
    expect(card('huge')!.querySelector('[data-error]')).toBeNull();
    expect(card('huge')!.querySelectorAll('svg g.bar').length).toBe(3);
    expect(badAttrs()).toEqual([]);
  });

  it('a huge space draws at most 200 cohorts and says so', async () => {
    const k = 1000;
    const { fetch } = fakeCollector({ spaces: { spaces: [sp('many', k)], today: TODAY, rejected: {} }, estimates: { many: est('many', k) } });
    await openDashboard(fetch, '#token=t0k');
    await vi.waitFor(() => expect(loaded()).toBeGreaterThan(0), { timeout: 10000 });
    const c = card('many')!;
    expect(c.querySelectorAll('tbody tr[data-cohort]').length).toBe(200);
    expect(c.querySelectorAll('svg g.bar').length).toBe(200);
    expect(c.querySelector('[data-capped]')!.textContent).toMatch(/first 200 of 1,000 cohorts/);
  });
});

describe('dashboard: auto-refresh never piles up (A5)', () => {
  it('a slow collector: at most one reload in flight and one pending, however many ticks pass', async () => {
    let release: () => void = () => {};
    let inFlight = 0, most = 0;
    const gate = () => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<void>((ok) => (release = () => (inFlight--, ok())));
    };
    const { fetch, calls } = fakeCollector({ spaces: { spaces: [sp('good', 3)], today: TODAY, rejected: {} }, estimates: { good: est('good', 3) } }, gate);
    await openDashboard(fetch, '#token=t0k');
    const spacesCalls = () => calls.filter((p) => p === '/v1/spaces').length;
    await vi.waitFor(() => expect(spacesCalls()).toBe(1));
    // 13 ticks of the 3 s timer while the first reload hangs.
    for (let i = 0; i < 13; i++) await vi.advanceTimersByTimeAsync(3000);
    expect(spacesCalls()).toBe(1);
    release();
    await vi.waitFor(() => expect(loaded()).toBe(1));
    // The one pending reload runs; nothing else was queued.
    await vi.waitFor(() => expect(spacesCalls()).toBe(2));
    release();
    await vi.waitFor(() => expect(loaded()).toBe(2));
    await vi.advanceTimersByTimeAsync(100);
    expect(spacesCalls()).toBe(2);
    expect(most).toBe(1);
  });

  it('coalesce: one run at a time, one pending with the latest argument, every caller settled', async () => {
    const runs: unknown[] = [];
    const gates: Array<() => void> = [];
    const run = (arg: unknown) => (runs.push(arg), new Promise<void>((ok) => gates.push(ok)));
    const { coalesce } = await refreshJs();
    const load = coalesce(run);
    const first = load(undefined);
    const later = [load(1), load(undefined), load(2), load(undefined)];
    expect(runs).toEqual([undefined]);
    gates.shift()!();
    await first;
    await vi.waitFor(() => expect(runs).toEqual([undefined, 2]));
    gates.shift()!();
    await Promise.all(later);
    expect(runs).toEqual([undefined, 2]);
    // A failing run settles its callers and does not wedge the next.
    const failing = coalesce(async (x: unknown) => {
      if (x === 'bad') throw new Error('boom');
      return x;
    });
    await expect(failing('bad')).rejects.toThrow('boom');
    await expect(failing('ok')).resolves.toBe('ok');
  });
});

describe('dashboard: a malformed #token= link (A6)', () => {
  it('loads, drops the link, and asks for the token', async () => {
    const { fetch, calls } = fakeCollector({ spaces: { spaces: [sp('good', 3)], today: TODAY, rejected: {} }, estimates: { good: est('good', 3) } });
    const { errors } = await openDashboard(fetch, '#token=%E0%A4%A');
    expect(errors).toEqual([]);
    expect(location.hash).toBe('');
    expect(sessionStorage.getItem('cohortkit:read-token')).toBeNull();
    expect((document.getElementById('token-form') as HTMLFormElement).hidden).toBe(false);
    await vi.waitFor(() => expect(calls).toContain('/v1/spaces'));
  });

  it('a well-formed link still sets the token (percent-decoded)', async () => {
    const { fetch } = fakeCollector({ spaces: { spaces: [sp('good', 3)], today: TODAY, rejected: {} }, estimates: { good: est('good', 3) } });
    await openDashboard(fetch, '#token=a%2Bb');
    expect(sessionStorage.getItem('cohortkit:read-token')).toBe('a+b');
    expect((document.getElementById('token-form') as HTMLFormElement).hidden).toBe(true);
  });
});
