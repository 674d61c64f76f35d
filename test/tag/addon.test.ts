// The tag bundle's add-on loader (src/tag/addon.ts): the script element it inserts and what a
// load, a failure, a missing global or a hang turn into. The real file loads in test/e2e/tag.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isCohortkitError, type CohortkitError } from '../../src/errors';
import { ADDON_TIMEOUT_MS, loadAddon } from '../../src/tag/addon';
import { VERSION } from '../../src/version';

const w = window as unknown as Record<string, unknown>;
// A successful load is kept per file (loaded once), so each test below loads its own file name.
let inserted: HTMLScriptElement[];
beforeEach(() => {
  inserted = [];
  // capture the element instead of letting happy-dom fetch it
  vi.spyOn(document.head, 'append').mockImplementation((...nodes) => void inserted.push(...(nodes as HTMLScriptElement[])));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  delete w.TestAddon;
});

const BASE = 'https://shop.example/static/js/cohortkit.iife.js?v=3';

describe('loadAddon', () => {
  it('inserts one async <script> resolved against the bundle directory and resolves with the global it defines', async () => {
    const a = loadAddon<{ x: () => number }>('cohortkit-interop.js', 'TestAddon', 'x', BASE);
    const b = loadAddon<{ x: () => number }>('cohortkit-interop.js', 'TestAddon', 'x', BASE);
    expect(inserted).toHaveLength(1);
    const s = inserted[0];
    expect(s.tagName).toBe('SCRIPT');
    expect(s.src).toBe('https://shop.example/static/js/cohortkit-interop.js');
    expect(s.async).toBe(true);
    expect(s.textContent).toBe(''); // never inline code
    const defined = { x: () => 1, version: VERSION };
    w.TestAddon = defined;
    s.onload!(new Event('load'));
    expect(await a).toBe(defined);
    expect(await b).toBe(await a);
    // once the global exists, nothing more is inserted
    expect(await loadAddon('cohortkit-interop.js', 'TestAddon', 'x', BASE)).toBe(defined);
    expect(inserted).toHaveLength(1);
  });

  it('a failed load rejects with CohortkitError network naming the URL, and a later call tries again', async () => {
    const p = loadAddon('addon-1.js', 'TestAddon', 'x', BASE);
    inserted[0].onerror!(new Event('error'));
    const e = (await p.catch((x) => x)) as CohortkitError;
    expect(isCohortkitError(e)).toBe(true);
    expect(e.code).toBe('network');
    expect(e.message).toBe('cohortkit: add-on addon-1.js could not be loaded from https://shop.example/static/js/addon-1.js');
    void loadAddon('addon-1.js', 'TestAddon', 'x', BASE).catch(() => {});
    expect(inserted).toHaveLength(2);
  });

  it('a file that loads but defines no global rejects (network)', async () => {
    const p = loadAddon('addon-2.js', 'TestAddon', 'x', BASE);
    inserted[0].onload!(new Event('load'));
    await expect(p).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('did not define TestAddon.x') });
  });

  it("a page's own variable of that name (or another version's add-on) is not used: without the function it needs, the file is loaded and must define it", async () => {
    for (const [i, hostile] of [{}, { x: 'not a function' }, 42, Object.defineProperty({}, 'x', { get: () => { throw new Error('hostile getter'); } })].entries()) {
      w.TestAddon = hostile;
      const p = loadAddon(`addon-h${i}.js`, 'TestAddon', 'x', BASE);
      expect(inserted).toHaveLength(i + 1); // not taken as the add-on: the file is fetched
      inserted[i].onload!(new Event('load')); // and it did not replace the variable
      await expect(p).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('did not define TestAddon.x') });
    }
    const real = { x: () => 2, version: VERSION };
    w.TestAddon = real;
    expect(await loadAddon('addon-h9.js', 'TestAddon', 'x', BASE)).toBe(real);
  });

  it("an add-on of another release (left from an earlier deploy) is not used: the file is fetched, and one still of another release rejects naming both", async () => {
    const versions: unknown[] = ['0.0.9', undefined, 1, { toString: () => VERSION }, Object.defineProperty({ x: () => 1 }, 'version', { get: () => { throw new Error('hostile'); } })];
    for (const [i, version] of versions.entries()) {
      const hostile = i == 4;
      w.TestAddon = hostile ? version : { x: () => 1, version };
      const p = loadAddon(`addon-v${i}.js`, 'TestAddon', 'x', BASE);
      expect(inserted).toHaveLength(i + 1); // not taken: the file is fetched
      inserted[i].onload!(new Event('load')); // and it is still the other release
      const e = (await p.catch((x) => x)) as CohortkitError;
      expect(e.code).toBe('network');
      expect(e.message).toBe(
        hostile
          ? 'cohortkit: add-on addon-v4.js did not define TestAddon.x'
          : `cohortkit: add-on addon-v${i}.js is version ${version === '0.0.9' ? '0.0.9' : '?'}, not the bundle's ${VERSION}`,
      );
    }
    // the fetched file of the bundle's release replaces the old global: used
    w.TestAddon = { x: () => 1, version: '0.0.9' };
    const p = loadAddon('addon-v9.js', 'TestAddon', 'x', BASE);
    const current = { x: () => 3, version: VERSION };
    w.TestAddon = current;
    inserted.at(-1)!.onload!(new Event('load'));
    expect(await p).toBe(current);
  });

  it('a load that never answers rejects after the timeout', async () => {
    vi.useFakeTimers();
    const p = loadAddon('addon-3.js', 'TestAddon', 'x', BASE);
    const settled = vi.fn();
    p.then(settled, settled);
    await vi.advanceTimersByTimeAsync(ADDON_TIMEOUT_MS - 1);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('timed out') });
  });

  it('without a known directory (inline or eval-injected bundle) it rejects and inserts nothing', async () => {
    await expect(loadAddon('addon-4.js', 'TestAddon', 'x', undefined)).rejects.toMatchObject({
      code: 'network',
      message: expect.stringContaining('its directory is unknown'),
    });
    expect(inserted).toHaveLength(0);
  });

  it('a hostile base (not a URL) or a DOM that refuses the element rejects, never throws', async () => {
    expect(() => loadAddon('x.js', 'TestAddon', 'x', 'not a url')).not.toThrow();
    await expect(loadAddon('x.js', 'TestAddon', 'x', 'not a url')).rejects.toMatchObject({ code: 'network' });
    vi.spyOn(document.head, 'append').mockImplementation(() => {
      throw new TypeError('This document requires TrustedScriptURL assignment');
    });
    const e = (await loadAddon('y.js', 'TestAddon', 'x', BASE).catch((x) => x)) as CohortkitError;
    expect(e).toMatchObject({ code: 'network', message: 'cohortkit: add-on y.js could not be loaded' });
    expect(e.cause).toBeInstanceOf(TypeError);
  });
});

describe('loadAddon: no timer outlives a refused element', () => {
  it('a load refused at once leaves nothing that later drops a retry (which is then not loaded twice)', async () => {
    vi.useFakeTimers();
    const append = vi.mocked(document.head.append);
    append.mockImplementationOnce(() => {
      throw new TypeError('refused');
    });
    await expect(loadAddon('addon-5.js', 'TestAddon', 'x', BASE)).rejects.toMatchObject({ code: 'network' });
    await vi.advanceTimersByTimeAsync(ADDON_TIMEOUT_MS / 2);
    const retry = loadAddon('addon-5.js', 'TestAddon', 'x', BASE);
    retry.catch(() => {});
    expect(inserted).toHaveLength(1);
    // Past the refused load's would-be timeout, before the retry's own: the retry is still the load in flight.
    await vi.advanceTimersByTimeAsync(ADDON_TIMEOUT_MS / 2 + 1);
    expect(loadAddon('addon-5.js', 'TestAddon', 'x', BASE)).toBe(retry);
    expect(inserted).toHaveLength(1);
  });
});

describe('loadAddon under Trusted Types', () => {
  type Rules = { createScriptURL(u: string): string };
  /** A fresh copy of the loader (its policy is made once per bundle) with a fake `trustedTypes`. */
  async function withTrustedTypes(createPolicy: (name: string, rules: Rules) => unknown) {
    vi.resetModules();
    (window as unknown as { trustedTypes?: unknown }).trustedTypes = { createPolicy: vi.fn(createPolicy) };
    const mod = await import('../../src/tag/addon');
    return { mod, tt: (window as unknown as { trustedTypes: { createPolicy: ReturnType<typeof vi.fn> } }).trustedTypes };
  }
  afterEach(() => {
    delete (window as unknown as { trustedTypes?: unknown }).trustedTypes;
  });

  it('the src is made by the policy "cohortkit", created once, which blesses only the URL being assigned', async () => {
    let rules: Rules | undefined;
    // As a browser's policy does: the rule runs when the URL is made, and its result is what is assigned.
    const { mod, tt } = await withTrustedTypes((_name, r) => {
      rules = r;
      return { createScriptURL: (u: string) => ((v) => ({ toString: () => v }))(r.createScriptURL(u)) };
    });
    void mod.loadAddon('cohortkit-a.js', 'TestAddon', 'x', BASE).catch(() => {});
    void mod.loadAddon('cohortkit-b.js', 'TestAddon', 'x', BASE).catch(() => {});
    expect(tt.createPolicy).toHaveBeenCalledTimes(1);
    expect(tt.createPolicy.mock.calls[0][0]).toBe('cohortkit');
    expect(inserted.map((s) => s.src)).toEqual(['https://shop.example/static/js/cohortkit-a.js', 'https://shop.example/static/js/cohortkit-b.js']);
    // Anyone else asking the policy (it is never handed out, but its rules are what it enforces):
    // '' (a script with no URL loads nothing), even for a URL the loader used before.
    expect(rules!.createScriptURL('https://evil.example/cohortkit-a.js')).toBe('');
    expect(rules!.createScriptURL('https://shop.example/static/js/cohortkit-a.js')).toBe('');
  });

  it('a site that does not allow the policy: the URL stays a string (works where Trusted Types are not enforced)', async () => {
    const { mod, tt } = await withTrustedTypes(() => {
      throw new TypeError('Policy "cohortkit" disallowed');
    });
    void mod.loadAddon('cohortkit-c.js', 'TestAddon', 'x', BASE).catch(() => {});
    expect(inserted[0].src).toBe('https://shop.example/static/js/cohortkit-c.js');
    void mod.loadAddon('cohortkit-d.js', 'TestAddon', 'x', BASE).catch(() => {});
    expect(tt.createPolicy).toHaveBeenCalledTimes(1); // not asked again
  });

  it('where the assignment is then refused (enforced), the error says which policy to allow', async () => {
    const { mod } = await withTrustedTypes(() => {
      throw new TypeError('Policy "cohortkit" disallowed');
    });
    const { CohortkitError } = await import('../../src/errors');
    vi.spyOn(HTMLScriptElement.prototype, 'src', 'set').mockImplementation(() => {
      throw new TypeError("This document requires 'TrustedScriptURL' assignment.");
    });
    const e = await mod.loadAddon('cohortkit-e.js', 'TestAddon', 'x', BASE).catch((x) => x);
    expect(e).toBeInstanceOf(CohortkitError);
    expect(e).toMatchObject({ code: 'network', message: 'cohortkit: add-on cohortkit-e.js could not be loaded (Trusted Types: allow the policy "cohortkit")' });
    expect(inserted).toHaveLength(0);
  });
});
