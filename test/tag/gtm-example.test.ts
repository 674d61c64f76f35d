// The GTM example snippets are documentation users copy: run them (in a node:vm sandbox, test-only)
// to check they push what the README says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { normalizeOptions } from '../../src/options';
import type { ConsentSource } from '../../src/types';

const dir = join(__dirname, '../../examples/gtm');
const scriptOf = (file: string) => {
  const html = readFileSync(join(dir, file), 'utf8');
  return html.slice(html.indexOf('<script>') + 8, html.lastIndexOf('</script>'));
};

describe('examples/gtm/custom-html-tag.html', () => {
  it('queues one valid init and loads the bundle once, even if the tag fires twice', () => {
    const appended: Array<{ src: string; async: boolean; attrs: Record<string, string> }> = [];
    const document = {
      querySelector: (sel: string) => (sel === 'script[data-cohortkit]' && appended.length ? appended[0] : null),
      createElement: () => {
        const el = { src: '', async: false, attrs: {} as Record<string, string>, setAttribute: (k: string, v: string) => void (el.attrs[k] = v) };
        return el;
      },
      head: { appendChild: (el: (typeof appended)[0]) => void appended.push(el) },
    };
    const window: { cohortkit?: unknown[] } = {};
    const code = scriptOf('custom-html-tag.html');
    runInNewContext(code, { window, document });
    runInNewContext(code, { window, document });
    expect(appended).toHaveLength(1);
    expect(appended[0].async).toBe(true);
    expect(appended[0].src).toMatch(/cohortkit\.iife\.js$/);
    expect(window.cohortkit).toHaveLength(1);
    const [name, options] = window.cohortkit![0] as [string, unknown];
    expect(name).toBe('init');
    expect(() => normalizeOptions(JSON.parse(JSON.stringify(options)))).not.toThrow();
  });
});

describe('examples/gtm/datalayer-bridge.html', () => {
  const code = scriptOf('datalayer-bridge.html');
  const setup = () => {
    let model: Record<string, unknown> = {};
    /** Every property of the page the bridge touches, beyond the queue and GTM's data layer. */
    const touched: string[] = [];
    const base = {
      cohortkit: [] as unknown[],
      google_tag_manager: { 'GTM-TEST': { dataLayer: { get: (k: string) => model[k] } } },
    };
    const window = new Proxy(base, {
      get(t, k) {
        if (!(k in t)) touched.push(String(k));
        return (t as Record<string | symbol, unknown>)[k];
      },
      set(t, k, v) {
        if (k !== 'cohortkit') touched.push(`set ${String(k)}`);
        (t as Record<string | symbol, unknown>)[k] = v;
        return true;
      },
    });
    const document = new Proxy({}, { get: (_, k) => void touched.push(`document.${String(k)}`) });
    const fire = (event: string, data: Record<string, unknown>) => {
      model = { ...model, ...data, event };
      const src = code.replace('{{Container ID}}', '"GTM-TEST"').replace('{{Event}}', JSON.stringify(event));
      runInNewContext(src, { window, document });
    };
    return { window: base, fire, touched };
  };

  it('maps behavioural events to track with only the listed scalar properties', () => {
    const { window, fire } = setup();
    fire('article_view', { category: 'news', email: 'a@b.example' });
    fire('add_to_cart', { category: 'shoes', price: { amount: 3 } });
    fire('gtm.click', { category: 'x' });
    expect(window.cohortkit).toEqual([
      ['track', 'article_view', { category: 'news' }],
      ['track', 'add_to_cart', { category: 'shoes' }],
    ]);
  });

  it('forwards the CMP state with the adapter source consent-mode, and touches no page storage', () => {
    const { window, fire, touched } = setup();
    fire('cmp_consent_update', { ad_personalization: 'granted', analytics_storage: 'denied' });
    fire('cmp_consent_update', { analytics_storage: 'granted' });
    fire('cmp_consent_update', { ad_personalization: 'maybe', analytics_storage: 42 }); // nothing usable
    expect(window.cohortkit).toEqual([
      ['consent', { personalization: true, measurement: false }, { source: 'consent-mode' }],
      ['consent', { personalization: true, measurement: true }, { source: 'consent-mode' }],
    ]);
    // No localStorage, sessionStorage, cookie or anything else of the page.
    expect(touched).toEqual([]);
  });

  it('through a real client: a stale CMP state never undoes a withdrawal, and never lifts GPC', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    const namespace = `gtm${Date.now().toString(36)}`;
    try {
      const { window, fire } = setup();
      // Each page: the bridge fires with the CMP's stored state, the queue feeds a client.
      const page = async () => {
        window.cohortkit.length = 0;
        fire('cmp_consent_update', { ad_personalization: 'granted', analytics_storage: 'granted' });
        const c = await createClient({ namespace });
        for (const cmd of window.cohortkit as Array<[string, Record<string, boolean>, { source: ConsentSource }]>) {
          expect(cmd[0]).toBe('consent');
          await c.consent.update(cmd[1], cmd[2]);
        }
        return c;
      };
      const first = await page();
      // GPC denies measurement; a CMP grant (not the visitor's own choice in cohortkit) leaves it denied.
      expect(first.consent.get()).toEqual({ personalization: 'granted', measurement: 'denied' });
      await first.consent.update({ personalization: false }, { source: 'preference-center' });
      await first.close();
      const second = await page(); // the CMP re-announces the same stored state
      expect(second.consent.get()).toEqual({ personalization: 'denied', measurement: 'denied' });
      expect((await second.consent.history()).map((r) => [r.purpose, r.granted, r.source])).toEqual([
        ['measurement', false, 'gpc'],
        ['personalization', true, 'consent-mode'],
        ['personalization', false, 'preference-center'],
      ]);
      await second.close();
    } finally {
      Object.defineProperty(navigator, 'globalPrivacyControl', { value: undefined, configurable: true });
    }
  });
});
