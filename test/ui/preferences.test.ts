// The preference center (cohortkit/ui) in happy-dom, driven against real memory clients.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError, type Client, type ClientOptions } from '../../src/index';
import { definePreferenceCenter } from '../../src/ui';

const OPTIONS: ClientOptions = {
  storage: 'memory',
  purposes: [
    { id: 'personalization', description: 'Tailor articles to what you read' },
    { id: 'measurement', description: 'Count audiences with <b>randomized</b> reports' },
  ],
  segments: [
    { id: 'sport-fan', description: 'Follows sport', rule: { event: 'article_view', where: { section: 'sport' }, count: { gte: 2 } } },
    { id: 'desktop', description: 'On a desktop', purposes: [], rule: { context: 'device', in: ['desktop', 'mobile', 'tablet'] } },
  ],
};

let n = 0;
const clients: Client[] = [];
afterEach(async () => {
  document.body.replaceChildren();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function until<T>(f: () => T | undefined | false | null, what = 'condition'): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A client, a registered tag and a mounted element; `root` is its open shadow root. */
async function mount(options: ClientOptions = OPTIONS, ui: Parameters<typeof definePreferenceCenter>[1] = {}, prepare?: (c: Client) => unknown) {
  const client = await createClient({ ...options, namespace: `ui${++n}` });
  clients.push(client);
  await prepare?.(client);
  const tag = `ck-prefs-${n}`;
  definePreferenceCenter(client, { ...ui, tag });
  const el = document.createElement(tag) as HTMLElement & { refresh(): Promise<void> };
  document.body.append(el);
  const root = el.shadowRoot!;
  await until(() => el.hasAttribute('data-ready'), 'first render');
  const box = (p: string) => root.querySelector<HTMLInputElement>(`input[name="${p}"]`)!;
  const label = (input: HTMLInputElement) => root.querySelector(`label[for="${input.id}"]`)?.textContent ?? '';
  const text = (sel: string) => root.querySelector(sel)?.textContent ?? '';
  const button = (name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name)!;
  return { client, el, root, box, label, text, button };
}

const toggle = (input: HTMLInputElement) => {
  input.checked = !input.checked;
  input.dispatchEvent(new Event('change', { bubbles: true }));
};

describe('<cohortkit-preferences>', () => {
  it('renders one labelled checkbox per purpose, with its description, in an open shadow root', async () => {
    const { root, box, label, el } = await mount(OPTIONS, {}, (c) => c.consent.update({ measurement: true }, { source: 'banner' }));
    expect(el.shadowRoot).not.toBeNull(); // open
    const inputs = [...root.querySelectorAll<HTMLInputElement>('fieldset.ck-purposes input[type="checkbox"]')];
    expect(inputs.map((i) => i.name)).toEqual(['personalization', 'measurement']);
    for (const i of inputs) {
      expect(label(i)).toContain(i.name);
      const desc = root.getElementById(i.getAttribute('aria-describedby')!)!;
      expect(desc.textContent).toContain(i.name === 'personalization' ? 'Tailor articles' : 'Count audiences');
    }
    expect(root.querySelector('fieldset legend')?.textContent).toBe('What you allow');
    expect([box('personalization').checked, box('measurement').checked]).toEqual([false, true]);
    // Descriptions are text: markup in them is not parsed.
    expect(root.querySelector('b')).toBeNull();
    expect(root.textContent).toContain('<b>randomized</b>');
    // No inline style attribute anywhere (CSP style-src 'self').
    expect(root.querySelectorAll('[style]').length).toBe(0);
    expect(root.querySelector('[role="status"][aria-live="polite"]')).not.toBeNull();
  });

  it('a toggle calls consent.update with source preference-center; the ledger and verify() show it', async () => {
    const { client, box, root, text } = await mount();
    const spy = vi.spyOn(client.consent, 'update');
    toggle(box('personalization'));
    await until(() => client.consent.get().personalization === 'granted', 'grant');
    expect(spy).toHaveBeenCalledWith({ personalization: true }, { source: 'preference-center' });
    const history = await client.consent.history();
    expect(history.map((r) => [r.purpose, r.granted, r.source])).toEqual([['personalization', true, 'preference-center']]);
    await until(() => root.querySelector('tr[data-ck-source="preference-center"]'), 'ledger row');
    expect(text('tbody')).toContain('preference-center');
    expect(text('.ck-verify')).toMatch(/verified/);
    expect(root.querySelector('.ck-verify')!.getAttribute('data-ck-verified')).toBe('true');
    await until(() => text('[role="status"]') === 'personalization: allowed.', 'status');
  });

  it('follows changes made elsewhere (client.on consent / segments)', async () => {
    const { client, box, root } = await mount();
    await client.consent.update({ personalization: true }, { source: 'api' });
    await until(() => box('personalization').checked, 'checkbox follows');
    await client.track('article_view', { section: 'sport', id: 'x1' });
    await client.track('article_view', { section: 'sport', id: 'x2' });
    const seg = await until(() => root.querySelector('details[data-ck-segment="sport-fan"]'), 'membership');
    expect(seg.textContent).toContain('Follows sport'); // description from client.catalog()
    expect(seg.textContent).toContain('every condition holds');
    expect(seg.textContent).toContain('rule.count');
    expect(seg.textContent).toMatch(/article_view ×2/);
    expect(seg.textContent).toContain('Relies on: personalization');
    expect(root.querySelector('details[data-ck-segment="desktop"]')?.textContent).toContain('nothing stored');
  });

  it('withdrawal from the component deletes and says what it deleted', async () => {
    const { client, box, root, text } = await mount(OPTIONS, {}, async (c) => {
      await c.consent.update({ personalization: true });
      await c.track('article_view', { section: 'sport' });
      await c.track('article_view', { section: 'sport', n: 2 });
    });
    await until(() => root.querySelector('details[data-ck-segment="sport-fan"]'), 'membership');
    toggle(box('personalization'));
    await until(() => /withdrawn/.test(text('[role="status"]')), 'status');
    expect(text('[role="status"]')).toMatch(/Deleted 1 signals, 1 segments, 0 reports/);
    expect((await client.exportData()).signals).toEqual([]);
    await until(() => !root.querySelector('details[data-ck-segment="sport-fan"]'), 'membership gone');
    await until(() => root.querySelectorAll('tbody tr').length === 2, 'ledger row');
    expect(text('tbody tr:last-child')).toMatch(/withdrawn[\s\S]*preference-center[\s\S]*1 signals, 1 segments, 0 reports/);
  });

  it('"Download my data" saves the exportData() JSON as a file', async () => {
    const { client, button, text } = await mount(OPTIONS, {}, (c) => c.consent.update({ measurement: true }));
    let blob: Blob | undefined;
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => ((blob = b as Blob), 'blob:x'));
    const clicks: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });
    button('Download my data').click();
    await until(() => /downloaded/.test(text('[role="status"]')), 'download');
    expect(clicks).toEqual([expect.stringMatching(/^cohortkit-data-\d{4}-\d\d-\d\d\.json$/)]);
    expect(blob!.type).toBe('application/json');
    const { exportedAt: _a, ...got } = JSON.parse(await blob!.text());
    const { exportedAt: _b, ...want } = await client.exportData();
    expect(got).toEqual(JSON.parse(JSON.stringify(want)));
    create.mockRestore();
    click.mockRestore();
  });

  it('"Forget everything" asks inside the component first, then deletes everything', async () => {
    const confirm = vi.fn(() => true);
    vi.stubGlobal('confirm', confirm); // happy-dom has none: any use would show here
    const { client, button, root, text, box, el } = await mount(OPTIONS, {}, (c) => c.consent.update({ personalization: true, measurement: true }));
    const forgotten = vi.fn();
    el.addEventListener('cohortkit-forget', forgotten);
    const box0 = root.querySelector<HTMLElement>('.ck-confirm')!;
    expect(box0.hidden).toBe(true);
    button('Forget everything').click();
    expect(box0.hidden).toBe(false);
    expect(button('Forget everything').getAttribute('aria-expanded')).toBe('true');
    expect(root.activeElement?.textContent).toBe('Cancel'); // the safe choice has focus
    button('Cancel').click();
    expect(box0.hidden).toBe(true);
    expect(client.consent.get().personalization).toBe('granted');
    // Escape closes it too.
    button('Forget everything').click();
    box0.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(box0.hidden).toBe(true);
    button('Forget everything').click();
    button('Yes, forget everything').click();
    await until(() => forgotten.mock.calls.length, 'forget');
    expect(client.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(await client.consent.history()).toEqual([]);
    await until(() => !box('personalization').checked && text('.ck-verify').includes('No consent decision'), 'render after forget');
    expect(root.querySelector('table')).toBeNull();
    expect(text('[role="status"]')).toMatch(/Everything was deleted/);
    expect(confirm).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });

  it('renders nothing for interests when the client has none; one labelled checkbox per interest when it has', async () => {
    const plain = await mount();
    expect(plain.root.querySelector('fieldset.ck-interests')).toBeNull();

    // A client with the (feature-detected) interests API: get / declare / list.
    const declared: string[][] = [];
    let held: string[] = [];
    const { root, label, box, text } = await mount(OPTIONS, {}, (c) => {
      Object.defineProperty(c, 'interests', {
        value: {
          get: () => [...held],
          declare: async (ids: string[]) => {
            declared.push(ids);
            if (c.consent.get().personalization !== 'granted') return { stored: false, reason: 'no-consent' };
            held = ids;
            return { stored: true, reason: 'stored' };
          },
          list: () => [
            { id: 'running', label: 'Running & trail' },
            { id: 'cooking', label: 'Cooking' },
          ],
        },
      });
    });
    const inputs = [...root.querySelectorAll<HTMLInputElement>('fieldset.ck-interests input[type="checkbox"]')];
    expect(inputs.map((i) => label(i))).toEqual(['Running & trail', 'Cooking']);
    // Without consent: declare stores nothing and the checkbox goes back.
    toggle(box('running'));
    await until(() => /only with your consent/.test(text('[role="status"]')), 'no-consent');
    expect(declared).toEqual([['running']]);
    expect(box('running').checked).toBe(false);
    toggle(box('personalization'));
    await until(() => /allowed/.test(text('[role="status"]')), 'grant');
    toggle(box('cooking'));
    await until(() => /saved/.test(text('[role="status"]')), 'stored');
    expect(held).toEqual(['cooking']);
    expect(box('cooking').checked).toBe(true);
  });

  it('takes interest labels from options when the client does not list them', async () => {
    const { root, label } = await mount(OPTIONS, { interests: [{ id: 'news', label: 'World news' }] }, (c) =>
      Object.defineProperty(c, 'interests', { value: { get: () => ['news'], declare: async () => ({ stored: true, reason: 'stored' }) } }),
    );
    const input = root.querySelector<HTMLInputElement>('fieldset.ck-interests input')!;
    expect([label(input), input.checked]).toEqual(['World news', true]);
  });

  it('a failing client becomes a status message and a reverted checkbox, never a page error', async () => {
    const { client, box, text } = await mount();
    await client.close();
    toggle(box('measurement'));
    await until(() => /Could not save measurement/.test(text('[role="status"]')), 'error status');
    expect(text('[role="status"]')).toMatch(/closed/);
    expect(box('measurement').checked).toBe(false);
  });

  it('several elements for one client stay in step; a removed element stops listening', async () => {
    const { client, el, box } = await mount();
    const tag = el.tagName.toLowerCase();
    const other = document.createElement(tag);
    document.body.append(other);
    const second = () => other.shadowRoot!.querySelector<HTMLInputElement>('input[name="measurement"]')!;
    await until(() => other.hasAttribute('data-ready'), 'second render');
    toggle(box('measurement'));
    await until(() => second().checked, 'second element follows');
    other.remove();
    await client.consent.update({ measurement: false });
    await until(() => !box('measurement').checked, 'first follows');
    expect(second().checked).toBe(true); // detached: no longer updated
  });
});

describe('hostile text', () => {
  it('any purpose description or segment description is shown as text, never parsed (property)', async () => {
    let baseline: number | undefined;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.constantFrom('<img src=x onerror=alert(1)>', '<style>*{}</style>', '"><svg/onload=1>', '&amp;'), async (a, b) => {
        const text = `${a}${b}`;
        const { root } = await mount({
          storage: 'memory',
          purposes: [{ id: 'personalization', description: text }, 'measurement'],
          segments: [{ id: 'ctx', description: text, purposes: [], rule: { context: 'device', in: ['desktop', 'mobile', 'tablet'] } }],
        });
        await until(() => root.querySelector('details[data-ck-segment="ctx"]'), 'membership');
        const count = root.querySelectorAll('*').length;
        baseline ??= count;
        expect(count).toBe(baseline); // the same elements whatever the text
        expect(root.querySelector('img, svg, style, script')).toBeNull();
        expect(root.querySelector('.ck-desc')!.textContent).toContain(text.trim() ? text.slice(0, 10) : '');
        document.body.replaceChildren();
      }),
      { numRuns: 25 },
    );
  });
});

describe('labels', () => {
  it('every text can be replaced, e.g. in the site language; placeholders are filled in', async () => {
    const { root, box, label, text, button, client } = await mount(OPTIONS, {
      heading: 'Vos choix',
      labels: { purposes: 'Ce que vous autorisez', now: 'Actuellement : {state}.', off: 'refusé', unset: 'pas encore choisi', allowed: '{purpose} : autorisé.', download: 'Télécharger mes données', forget: 'Tout effacer', columns: 'n°|Quand|Finalité|Choix|Source|Politique|Supprimé', granted: 'accordé', verified: 'Registre vérifié ({count}).' },
    });
    expect(text('h2')).toBe('Vos choix');
    expect(text('legend')).toBe('Ce que vous autorisez');
    expect(text('.ck-state')).toBe('Actuellement : pas encore choisi.');
    expect(label(box('personalization'))).toBe('personalization'); // the purpose id stays the accessible name
    expect(button('Télécharger mes données')).toBeDefined();
    expect(button('Tout effacer')).toBeDefined();
    toggle(box('personalization'));
    await until(() => text('[role="status"]') === 'personalization : autorisé.', 'status');
    await until(() => root.querySelector('th'), 'ledger');
    expect([...root.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['n°', 'Quand', 'Finalité', 'Choix', 'Source', 'Politique', 'Supprimé']);
    expect(text('tbody td.ck-ok')).toContain('accordé');
    expect(text('.ck-verify')).toBe('Registre vérifié (1).');
    expect(client.consent.get().personalization).toBe('granted');
  });

  it.each([
    [{ nope: 'x' }, /^options\.labels\.nope: unknown label/],
    [{ toString: 'x' }, /^options\.labels\.toString: unknown label/],
    [{ forget: 1 }, /^options\.labels\.forget: expected a string/],
    ['x', /^options\.labels: expected a plain object/],
  ])('rejects labels %j', async (labels, msg) => {
    const client = await createClient({ storage: 'memory' });
    expect(() => definePreferenceCenter(client, { tag: `ck-bad-${++n}`, labels: labels as never })).toThrow(msg);
    await client.close();
  });
});

describe('definePreferenceCenter: misuse', () => {
  it('without customElements (Node, old engines) → invalid-argument', async () => {
    const client = await createClient({ storage: 'memory' });
    vi.stubGlobal('customElements', undefined);
    try {
      expect(() => definePreferenceCenter(client)).toThrow(/^definePreferenceCenter: needs a browser/);
    } finally {
      vi.unstubAllGlobals();
      await client.close();
    }
  });

  it.each([
    ['no client', undefined, {}, /^client: expected a cohortkit Client/],
    ['not a client', { consent: {} }, {}, /^client:/],
    ['bad tag', 'ok', { tag: 'nohyphen' }, /^options\.tag: expected a custom element name/],
    ['uppercase tag', 'ok', { tag: 'My-Prefs' }, /^options\.tag:/],
    ['unknown option', 'ok', { tga: 'x-y' }, /^options\.tga: unknown key/],
    ['bad interests', 'ok', { interests: [{ id: 1 }] }, /^options\.interests:/],
    ['options not an object', 'ok', 'x', /^options: expected a plain object/],
  ])('%s → invalid-argument', async (_n, c, o, msg) => {
    const client = c === 'ok' ? await createClient({ storage: 'memory' }) : c;
    let err: unknown;
    try {
      definePreferenceCenter(client as Client, o as never);
    } catch (e) {
      err = e;
    }
    expect(isCohortkitError(err) && err.code).toBe('invalid-argument');
    expect((err as Error).message).toMatch(msg);
    if (c === 'ok') await (client as Client).close();
  });

  it('a tag already defined is refused (the first definition stays)', async () => {
    const client = await createClient({ storage: 'memory' });
    definePreferenceCenter(client, { tag: 'ck-once' });
    expect(() => definePreferenceCenter(client, { tag: 'ck-once' })).toThrow(/options\.tag: "ck-once" is already defined/);
    await client.close();
  });
});
