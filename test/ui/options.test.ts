// The preference center's options (labels), hostile text and misuse, in happy-dom.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError, type Client } from '../../src/index';
import { definePreferenceCenter } from '../../src/ui';
import { OPTIONS, mount, next, toggle, until } from './helpers';

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
    expect(() => definePreferenceCenter(client, { tag: `ck-bad-${next()}`, labels: labels as never })).toThrow(msg);
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
    ['bad interests', 'ok', { interests: [{ id: 1 }] }, /^options\.interests\[0\]\.id:/],
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
