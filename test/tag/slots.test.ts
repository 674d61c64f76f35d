import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fillSlots, refreshSlots } from '../../src/tag';
import type { DecideRequest, Decision } from '../../src/types';

const HTML = `
  <div id="s" data-cohortkit-slot="hero" data-holdout="0.1" data-cap-max="3" data-cap-per="1d" data-allow-sensitive>
    <p id="orig">Welcome</p>
    <template data-variant="new-visitor"><p class="v">Hello newcomer</p></template>
    <template data-variant="returning"><p class="v">Welcome back</p><script>window.pwned = 1</script></template>
  </div>`;

let slot: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = HTML; // test fixture only; src/tag never uses innerHTML
  slot = document.getElementById('s')!;
});

/** Text of the slot's rendered (non-template) content. */
const shown = (el: Element) =>
  Array.from(el.childNodes)
    .filter((n) => n.nodeName !== 'TEMPLATE')
    .map((n) => n.textContent)
    .join('')
    .trim();

/** A client whose decide picks the variant of `segment` (or the fallback with `reason`). */
const clientFor = (pick: () => { reason: Decision['reason']; segment?: string }) => ({
  requests: [] as DecideRequest[],
  async decide(req: DecideRequest): Promise<Decision> {
    this.requests.push(req);
    const { reason, segment } = pick();
    const v = req.variants.find((x) => x.segment === segment);
    return reason === 'segment' && v ? { value: v.value, reason, segment } : { value: req.fallback, reason, segment };
  },
});

describe('fillSlots', () => {
  it('keeps the existing content until the decision resolves, then replaces it once', async () => {
    let resolve!: (d: Decision) => void;
    let request!: DecideRequest;
    const client = {
      decide: (req: DecideRequest) => {
        request = req;
        return new Promise<Decision>((r) => (resolve = r));
      },
    };
    const orig = document.getElementById('orig');
    const p = fillSlots(document, client);
    await Promise.resolve();
    expect(document.getElementById('orig')).toBe(orig);
    expect(slot.hasAttribute('data-cohortkit-reason')).toBe(false);
    resolve({ value: request.variants[0].value, reason: 'segment', segment: 'new-visitor' });
    await p;
    expect(shown(slot)).toBe('Hello newcomer');
    expect(document.getElementById('orig')).toBeNull();
  });

  it('builds the request from the slot: variants in order, fallback, holdout, cap, allowSensitive', async () => {
    const client = clientFor(() => ({ reason: 'no-match' }));
    await fillSlots(document, client);
    const [req] = client.requests;
    const templates = slot.querySelectorAll('template');
    expect(req.slot).toBe('hero');
    expect(req.variants).toEqual([
      { segment: 'new-visitor', value: templates[0] },
      { segment: 'returning', value: templates[1] },
    ]);
    expect(req.holdout).toBe(0.1);
    expect(req.cap).toEqual({ max: 3, per: '1d' });
    expect(req.allowSensitive).toBe(true);
    expect(Array.isArray(req.fallback)).toBe(true);
    expect(JSON.stringify(Object.keys(req))).toBe('["slot","variants","fallback","holdout","cap","allowSensitive"]');
  });

  it('omits absent optional attributes; data-allow-sensitive="false" does not allow', async () => {
    slot.removeAttribute('data-holdout');
    slot.removeAttribute('data-cap-per');
    slot.setAttribute('data-allow-sensitive', 'false');
    const client = clientFor(() => ({ reason: 'no-match' }));
    await fillSlots(document, client);
    expect(Object.keys(client.requests[0])).toEqual(['slot', 'variants', 'fallback']);
  });

  it('applies the winning variant on reason "segment", sets QA attributes, never inserts scripts', async () => {
    await fillSlots(document, clientFor(() => ({ reason: 'segment', segment: 'returning' })));
    expect(shown(slot)).toBe('Welcome back');
    expect(slot.querySelectorAll('script')).toHaveLength(0);
    expect(slot.querySelectorAll('template')).toHaveLength(2); // templates kept for refreshes
    expect(slot.getAttribute('data-cohortkit-reason')).toBe('segment');
    expect(slot.getAttribute('data-cohortkit-segment')).toBe('returning');
  });

  it.each(['no-consent', 'no-match', 'holdout', 'capped'] as const)('keeps the original content untouched on %s', async (reason) => {
    const orig = document.getElementById('orig');
    const seen: MutationRecord[] = [];
    const mo = new MutationObserver((r) => seen.push(...r.filter((m) => m.type === 'childList')));
    mo.observe(slot, { childList: true });
    await fillSlots(document, clientFor(() => ({ reason, segment: reason === 'capped' ? 'returning' : undefined })));
    mo.disconnect();
    expect(seen).toHaveLength(0);
    expect(document.getElementById('orig')).toBe(orig);
    expect(slot.getAttribute('data-cohortkit-reason')).toBe(reason);
    expect(slot.getAttribute('data-cohortkit-segment')).toBe(reason === 'capped' ? 'returning' : null);
  });

  it('uses <template data-fallback> as the non-personalized content when given', async () => {
    const fb = document.createElement('template');
    fb.setAttribute('data-fallback', '');
    fb.content.append(Object.assign(document.createElement('p'), { textContent: 'Default offer' }));
    slot.append(fb);
    const client = clientFor(() => ({ reason: 'no-consent' }));
    await fillSlots(document, client);
    expect(client.requests[0].fallback).toBe(fb);
    expect(shown(slot)).toBe('Default offer');
  });

  it('refresh swaps back to the fallback after withdrawal, with the original nodes', async () => {
    let decision: { reason: Decision['reason']; segment?: string } = { reason: 'segment', segment: 'new-visitor' };
    const client = clientFor(() => decision);
    const orig = document.getElementById('orig');
    await fillSlots(document, client);
    expect(shown(slot)).toBe('Hello newcomer');
    decision = { reason: 'no-consent' };
    await refreshSlots(document, client);
    expect(shown(slot)).toBe('Welcome');
    expect(document.getElementById('orig')).toBe(orig);
    expect(slot.hasAttribute('data-cohortkit-segment')).toBe(false);
    decision = { reason: 'segment', segment: 'returning' };
    await refreshSlots(document, client);
    expect(shown(slot)).toBe('Welcome back');
  });

  it('applies only the latest decision when fills overlap', async () => {
    const resolvers: Array<(d: Decision) => void> = [];
    const client = { decide: () => new Promise<Decision>((r) => resolvers.push(r)) };
    const first = fillSlots(document, client);
    const second = refreshSlots(document, client);
    const tpl = slot.querySelectorAll('template');
    resolvers[1]({ value: tpl[1], reason: 'segment', segment: 'returning' });
    await second;
    resolvers[0]({ value: tpl[0], reason: 'segment', segment: 'new-visitor' });
    await first;
    expect(shown(slot)).toBe('Welcome back');
  });

  it('keeps the fallback when decide rejects, marks reason "error" and reports it', async () => {
    const onError = vi.fn();
    await fillSlots(document, { decide: () => Promise.reject(new Error('x')) }, { onError });
    expect(shown(slot)).toBe('Welcome');
    expect(slot.getAttribute('data-cohortkit-reason')).toBe('error');
    expect(onError).toHaveBeenCalledWith(expect.any(Error), slot);
  });

  it('fills every slot under the root and only those', async () => {
    const other = document.createElement('section');
    other.setAttribute('data-cohortkit-slot', 'footer');
    other.append('plain');
    document.body.append(other);
    const client = clientFor(() => ({ reason: 'no-match' }));
    await fillSlots(document, client);
    expect(client.requests.map((r) => r.slot).sort()).toEqual(['footer', 'hero']);
    const c2 = clientFor(() => ({ reason: 'no-match' }));
    await fillSlots(other, c2); // root itself is not a descendant
    expect(c2.requests).toEqual([]);
  });

  it('property: after any sequence of refreshes the slot shows what the last decision says', async () => {
    const outcome = fc.oneof(
      fc.constantFrom('new-visitor', 'returning').map((segment) => ({ reason: 'segment' as const, segment })),
      fc.constantFrom('no-consent', 'no-match', 'holdout', 'capped').map((reason) => ({ reason })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 6 }), async (seq) => {
        document.body.innerHTML = HTML;
        const el = document.getElementById('s')!;
        const orig = document.getElementById('orig');
        let i = 0;
        const client = clientFor(() => seq[i++]);
        for (const _ of seq) await refreshSlots(document, client);
        const last = seq[seq.length - 1];
        const want = last.reason !== 'segment' ? 'Welcome' : last.segment === 'returning' ? 'Welcome back' : 'Hello newcomer';
        expect(shown(el)).toBe(want);
        if (last.reason !== 'segment') expect(document.getElementById('orig')).toBe(orig);
        expect(el.querySelectorAll('script')).toHaveLength(0); // never inserted into the page
        expect(el.querySelectorAll('template')[1].content.querySelectorAll('script')).toHaveLength(1); // template intact
      }),
      { numRuns: 50 },
    );
  });

  it('src/tag never builds DOM from strings (strict CSP)', () => {
    const dir = join(__dirname, '../../src/tag');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });
});
