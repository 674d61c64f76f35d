// The preference center against a hostile page: options changed or throwing after the definition,
// a polluted Object.prototype, bidi controls in site text, colliding interest ids, a client that
// throws where it should not. The host page never sees an error; misuse is `invalid-argument`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, isCohortkitError, type Client } from '../../src/index';
import { definePreferenceCenter } from '../../src/ui';
import { OPTIONS, mount, next, toggle, until } from './helpers';

/** `code: message` of what `f` throws ('RAW …' for anything but a CohortkitError), or 'returned'. */
function thrown(f: () => unknown) {
  try {
    f();
    return 'returned';
  } catch (e) {
    return isCohortkitError(e) ? `${e.code}: ${(e as Error).message}` : `RAW ${String(e)}`;
  }
}

/** Appends a `tag` element; what reached the page (thrown from append, window errors, unhandled rejections). */
async function attach(tag: string) {
  const errors: unknown[] = [];
  const onError = (e: ErrorEvent) => errors.push(e.error ?? e.message);
  const onRejection = (r: unknown) => errors.push(r);
  window.addEventListener('error', onError);
  process.on('unhandledRejection', onRejection);
  const el = document.createElement(tag);
  try {
    document.body.append(el);
  } catch (e) {
    errors.push(e);
  }
  await until(() => el.hasAttribute('data-ready'), 'data-ready').catch((e) => errors.push(e));
  window.removeEventListener('error', onError);
  process.off('unhandledRejection', onRejection);
  return { el, root: el.shadowRoot!, errors: errors.map(String) };
}

const clients: Client[] = [];
const client = async (o: Parameters<typeof createClient>[0] = { storage: 'memory' }) => {
  const c = await createClient({ ...o, namespace: `hostile${next()}` });
  clients.push(c);
  return c;
};
afterEach(async () => {
  document.body.replaceChildren();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('options are read once, at definePreferenceCenter', () => {
  it('an interests array changed after the definition changes nothing (no page error, the interests as defined)', async () => {
    const c = await client({ storage: 'memory', interests: [{ id: 'news', label: 'News' }] });
    const interests: unknown[] = [{ id: 'news', label: 'World news' }];
    const tag = `ck-late-${next()}`;
    definePreferenceCenter(c, { tag, interests: interests as never });
    interests.push({ id: 7, label: 'seven' });
    (interests[0] as { label: string }).label = 'changed';
    const { root, errors } = await attach(tag);
    expect(errors).toEqual([]);
    expect([...root.querySelectorAll('fieldset.ck-interests label')].map((l) => l.textContent)).toEqual(['World news']);
  });

  it('a getter that changes or throws after the definition changes nothing', async () => {
    const c = await client({ storage: 'memory', interests: [{ id: 'news', label: 'News' }] });
    let reads = 0;
    const item = {
      id: 'news',
      get label() {
        if (reads++) throw new TypeError('second read');
        return 'World news';
      },
    };
    const tag = `ck-getter-${next()}`;
    definePreferenceCenter(c, { tag, interests: [item] });
    const { root, errors } = await attach(tag);
    expect(errors).toEqual([]);
    expect(reads).toBe(1);
    expect(root.querySelector('fieldset.ck-interests label')?.textContent).toBe('World news');
  });

  it('a client that throws while the element is built: a status message, data-ready, no page error', async () => {
    const fake = {
      get purposes(): never {
        throw new Error('no purposes');
      },
      consent: {
        get: () => {
          throw new Error('consent unreadable');
        },
        update: async () => undefined,
      },
      on: () => () => undefined,
    } as unknown as Client;
    const tag = `ck-broken-${next()}`;
    definePreferenceCenter(fake, { tag });
    const { root, errors } = await attach(tag);
    expect(errors).toEqual([]);
    expect(root.querySelector('[role="status"]')?.textContent).toBe('Could not load your data: consent unreadable');
  });
});

describe('hostile options → invalid-argument naming the option', () => {
  it.each([
    ['options.heading', { get heading() { throw new TypeError('boom'); } }, /^invalid-argument: options\.heading: could not be read$/],
    ['options.tag', { get tag() { throw new TypeError('boom'); } }, /^invalid-argument: options\.tag: could not be read$/],
    ['options.labels.forget', { labels: { get forget() { throw new TypeError('boom'); } } }, /^invalid-argument: options\.labels\.forget: could not be read$/],
    ['options.interests', { get interests() { throw new TypeError('boom'); } }, /^invalid-argument: options\.interests: could not be read$/],
    ['options.interests[0]', { interests: [{ get id() { throw new TypeError('boom'); }, label: 'x' }] }, /^invalid-argument: options\.interests\[0\]\.id: could not be read$/],
  ])('a throwing getter (%s)', async (_name, options, msg) => {
    const c = await client();
    // Copied with their getters (a spread would call them here).
    const o = Object.defineProperties({}, Object.getOwnPropertyDescriptors(options)) as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(o, 'tag')) o.tag = `ck-get-${next()}`;
    expect(thrown(() => definePreferenceCenter(c, o as never))).toMatch(msg);
  });

  it('a client whose consent getter throws', () => {
    const fake = {
      get consent() {
        throw new TypeError('boom');
      },
      on: () => () => undefined,
    };
    expect(thrown(() => definePreferenceCenter(fake as unknown as Client, { tag: `ck-c-${next()}` }))).toMatch(/^invalid-argument: client: could not be read$/);
  });

  it('a polluted Object.prototype is not an option: no "unknown key", and Object.prototype.tag does not redirect the registration', async () => {
    const c = await client();
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    proto.tag = 'evil-tag';
    proto.heading = 7;
    let result: string;
    try {
      result = thrown(() => definePreferenceCenter(c));
    } finally {
      delete proto.polluted;
      delete proto.tag;
      delete proto.heading;
    }
    expect(result).toBe('returned');
    expect(customElements.get('evil-tag')).toBeUndefined();
    expect(customElements.get('cohortkit-preferences')).toBeDefined();
    const { root, errors } = await attach('cohortkit-preferences');
    expect(errors).toEqual([]);
    expect(root.querySelector('h2')?.textContent).toBe('Your privacy choices');
  });
});

describe('interest ids', () => {
  const interests = [
    { id: 'news', label: 'News' },
    { id: 'sport', label: 'Sport' },
  ];
  it.each([
    ['not an id', [{ id: 'a.b', label: 'First' }, { id: 'a_b', label: 'Second' }], /^invalid-argument: options\.interests\[0\]\.id: expected an id matching/],
    ['not a string', [{ id: 7, label: 'Seven' }], /^invalid-argument: options\.interests\[0\]\.id: expected an id matching/],
    ['a duplicate', [{ id: 'news', label: 'News' }, { id: 'news', label: 'More news' }], /^invalid-argument: options\.interests\[1\]\.id: duplicate id "news"$/],
    ['not an interest of the client', [{ id: 'news', label: 'News' }, { id: 'cooking', label: 'Cooking' }], /^invalid-argument: options\.interests\[1\]\.id: "cooking" is not an interest of the client/],
    ['a label that is not a string', [{ id: 'news', label: 1 }], /^invalid-argument: options\.interests\[0\]\.label: expected a string$/],
    ['an unknown key', [{ id: 'news', lable: 'News' }], /^invalid-argument: options\.interests\[0\]\.lable: unknown key/],
  ])('%s → invalid-argument naming the path', async (_name, given, msg) => {
    const c = await client({ storage: 'memory', interests });
    expect(thrown(() => definePreferenceCenter(c, { tag: `ck-ids-${next()}`, interests: given as never }))).toMatch(msg);
  });

  it('the client’s own interests options pass as they are (purposes ignored), and are read once', async () => {
    const declared = [
      { id: 'news', label: 'World news', purposes: ['personalization'] },
      { id: 'sport', label: 'Sport', purposes: ['personalization'] },
    ];
    const { root } = await mount({ ...OPTIONS, interests: declared }, { interests: declared });
    expect([...root.querySelectorAll('fieldset.ck-interests label')].map((l) => l.textContent)).toEqual(['World news', 'Sport']);
  });

  it('ids of a client that does not list its interests are checked as ids and unique; their element ids never collide', async () => {
    const fakeInterests = { get: () => [], declare: async () => ({ stored: true, reason: 'stored' }) };
    const c = await client();
    Object.defineProperty(c, 'interests', { value: fakeInterests });
    expect(thrown(() => definePreferenceCenter(c, { tag: `ck-ids-${next()}`, interests: [{ id: 'a.b', label: 'x' }] }))).toMatch(/options\.interests\[0\]\.id: expected an id/);
    const { root } = await mount(OPTIONS, { interests: [{ id: 'a-b', label: 'First' }, { id: 'a_b', label: 'Second' }] }, (k) => Object.defineProperty(k, 'interests', { value: fakeInterests }));
    const ids = [...root.querySelectorAll('fieldset.ck-interests input')].map((i) => i.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('bidi controls in site text', () => {
  const RLO = 'safe \u202E.no :woN';
  it('descriptions, interest labels and segment descriptions are isolated from the component’s own text', async () => {
    const { root } = await mount({
      storage: 'memory',
      purposes: [{ id: 'personalization', description: RLO }, 'measurement'],
      interests: [{ id: 'news', label: RLO }],
      segments: [{ id: 'ctx', description: RLO, purposes: [], rule: { context: 'device', in: ['desktop', 'mobile', 'tablet'] } }],
    });
    await until(() => root.querySelector('details[data-ck-segment="ctx"]'), 'membership');
    const isolated = (el: Element | null | undefined) => !!el && (el.tagName == 'BDI' || el.getAttribute('dir') == 'auto');
    const holder = (sel: string) => [...root.querySelectorAll(sel)].find((e) => e.textContent == RLO && isolated(e));
    const desc = root.querySelector('.ck-desc')!;
    expect(holder('.ck-desc *')).toBeDefined(); // the description, in its own isolate
    const state = desc.querySelector('.ck-state')!;
    expect(state.textContent).toBe('Now: not chosen yet (off).');
    expect(holder('.ck-desc *')!.contains(state)).toBe(false);
    expect(holder('fieldset.ck-interests label, fieldset.ck-interests label *')).toBeDefined();
    expect(holder('summary *')).toBeDefined();
  });

  it('the state text is a bidi isolate (CSS; vitest does not load it into the shadow root)', () => {
    const css = readFileSync(join(import.meta.dirname, '../../src/ui/styles.css'), 'utf8');
    expect(css).toMatch(/\.ck-state\s*\{[^}]*unicode-bidi:\s*isolate/);
  });
});

describe('failures after a toggle', () => {
  it('consent.get throwing in the re-render after a toggle → a status message, no unhandled rejection', async () => {
    const { client: c, box, text } = await mount();
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      let armed = false;
      const real = c.consent.get.bind(c.consent);
      Object.assign(c.consent, {
        get: () => {
          if (armed) throw new Error('get failed');
          return real();
        },
        update: async () => {
          armed = true;
          throw new Error('update failed');
        },
      });
      toggle(box('measurement'));
      await until(() => text('[role="status"]') === 'Could not load your data: get failed', 'status');
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections.map(String)).toEqual([]);
  });

  it('interests.get throwing in the re-render after an interest toggle → a status message, no unhandled rejection', async () => {
    const { box, text } = await mount(OPTIONS, { interests: [{ id: 'news', label: 'News' }] }, (k) =>
      Object.defineProperty(k, 'interests', {
        value: {
          get: () => {
            if (armed) throw new Error('interests unreadable');
            return [];
          },
          declare: async () => ((armed = true), { stored: true, reason: 'stored' }),
        },
      }),
    );
    let armed = false;
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      toggle(box('news'));
      await until(() => text('[role="status"]') === 'Could not load your data: interests unreadable', 'status');
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections.map(String)).toEqual([]);
  });
});
