// The preference center (cohortkit/ui) in happy-dom, driven against real memory clients.
import { describe, expect, it, vi } from 'vitest';
import { OPTIONS, mount, toggle, until } from './helpers';

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

