// The GTM example snippets are documentation users copy: run them (in a node:vm sandbox, test-only)
// to check they push what the README says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../../src/options';

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
    const storage = new Map<string, string>();
    let model: Record<string, unknown> = {};
    const window = {
      cohortkit: [] as unknown[],
      google_tag_manager: { 'GTM-TEST': { dataLayer: { get: (k: string) => model[k] } } },
      localStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
    };
    const fire = (event: string, data: Record<string, unknown>) => {
      model = { ...model, ...data, event };
      const src = code.replace('{{Container ID}}', '"GTM-TEST"').replace('{{Event}}', JSON.stringify(event));
      runInNewContext(src, { window });
    };
    return { window, fire };
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

  it('maps CMP consent events to consent, forwarding only changes (no stale re-announcements)', () => {
    const { window, fire } = setup();
    fire('cmp_consent_update', { ad_personalization: 'granted', analytics_storage: 'denied' });
    fire('cmp_consent_update', {}); // re-announced on the next page: nothing new
    fire('cmp_consent_update', { analytics_storage: 'granted' });
    expect(window.cohortkit).toEqual([
      ['consent', { personalization: true, measurement: false }, { source: 'banner' }],
      ['consent', { measurement: true }, { source: 'banner' }],
    ]);
  });
});
