// One preference center in one shadow root: a skeleton built once (so focus survives updates),
// kept live through client.on('consent' | 'segments'). Errors become status messages, never the page's.
import type { Client, ConsentState, ConsentValue, Membership } from '../types';
import { h } from './dom';
import { fill, type PreferenceLabels } from './labels';
import { ledgerTable, membershipList, stateText, verifyText } from './sections';

export interface InterestDefinition {
  id: string;
  label: string;
}

/** The optional declared-interests API (`client.interests`), feature-detected. */
interface InterestsApi {
  get(): string[];
  declare(ids: string[]): Promise<{ stored: boolean; reason: string }>;
  list?(): InterestDefinition[];
}

export interface ViewOptions {
  heading: string;
  labels: PreferenceLabels;
  interests?: InterestDefinition[];
}

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** Element ids stay valid whatever an id holds (ids are already /^[a-z0-9][a-z0-9_-]*$/). */
const safe = (id: string) => id.replace(/[^a-z0-9_-]/gi, '_');

function interestsOf(client: Client): InterestsApi | undefined {
  try {
    const api = (client as { interests?: InterestsApi }).interests;
    return api && typeof api.get == 'function' && typeof api.declare == 'function' ? api : undefined;
  } catch {
    return undefined;
  }
}

export function createView(root: ShadowRoot, client: Client, opts: ViewOptions) {
  const L = opts.labels;
  const status = h('p.ck-status', { role: 'status', 'aria-live': 'polite' });
  const say = (text: string) => (status.textContent = text);
  const emit = (type: string, detail?: unknown) => root.host.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
  let chain = Promise.resolve();
  /** Runs visitor actions one after another; failures become a status message (`failed` with {error}). */
  const act = (fn: () => Promise<void>, failed: string, vars: Record<string, string> = {}) =>
    (chain = chain.then(fn).catch((e) => void say(fill(failed, { ...vars, error: message(e) }))));
  /** `f` as a callback whose failure (a client throwing where it should not) is a status message, never a rejection. */
  const guard = (f: () => void) => () => {
    try {
      f();
    } catch (e) {
      say(fill(L.loadFailed, { error: message(e) }));
    }
  };

  // Purposes ----------------------------------------------------------------
  const purposes = (() => {
    try {
      if (Array.isArray(client.purposes) && client.purposes.length) return client.purposes.map((p) => ({ id: String(p.id), description: p.description }));
    } catch {
      // fall back to the consent state's keys
    }
    return Object.keys(client.consent.get()).map((id) => ({ id, description: undefined as string | undefined }));
  })();
  const boxes = new Map<string, { input: HTMLInputElement; state: HTMLElement }>();
  const purposeSet = h(
    'fieldset.ck-purposes',
    null,
    h('legend', null, L.purposes),
    purposes.map((p) => {
      const id = `ck-p-${safe(p.id)}`;
      const input = h<HTMLInputElement>('input', { type: 'checkbox', id, name: p.id, 'aria-describedby': `${id}-d` });
      const state = h('span.ck-state');
      input.addEventListener('change', () => togglePurpose(p.id, input));
      boxes.set(p.id, { input, state });
      // Site text in its own bidi isolate: a direction override in it cannot reorder the state after it.
      const desc = p.description ? [h('bdi', null, p.description), '. '] : [];
      return h('div.ck-choice', { 'data-ck-purpose': p.id }, input, h('label', { for: id }, p.id), h('p.ck-desc', { id: `${id}-d` }, desc, state));
    }),
  );
  const renderConsent = (s: ConsentState) => {
    for (const [id, b] of boxes) {
      const v: ConsentValue = s[id] ?? 'unset';
      b.input.checked = v == 'granted';
      b.state.textContent = fill(L.now, { state: stateText(L, v) });
    }
  };
  const togglePurpose = (id: string, input: HTMLInputElement) => {
    const on = input.checked;
    act(async () => {
      try {
        await client.consent.update({ [id]: on }, { source: 'preference-center' });
      } catch (e) {
        input.checked = !on;
        throw e;
      }
      const last = (await client.consent.history()).at(-1);
      const p = last?.purged;
      const receipt = !on && last?.purpose == id && p ? ` ${fill(L.receipt, { signals: p.signals, segments: p.memberships, reports: p.reports })}` : '';
      say(fill(on ? L.allowed : L.withdrawn, { purpose: id }) + receipt);
      emit('cohortkit-consent', client.consent.get());
    }, L.saveFailed, { purpose: id }).then(guard(() => renderConsent(client.consent.get())));
  };

  // Declared interests (only when the client has them) -----------------------
  const interests = interestsOf(client);
  const defs = interests ? (opts.interests ?? interests.list?.() ?? []) : [];
  const interestBoxes = new Map<string, HTMLInputElement>();
  const interestSet = defs.length
    ? h(
        'fieldset.ck-interests',
        null,
        h('legend', null, L.interests),
        h('p.ck-desc', null, L.interestsHint),
        defs.map((d, i) => {
          const id = `ck-i-${i}`; // by position: distinct whatever the ids hold
          const input = h<HTMLInputElement>('input', { type: 'checkbox', id, name: d.id });
          input.addEventListener('change', () => toggleInterest(input));
          interestBoxes.set(d.id, input);
          return h('div.ck-choice', { 'data-ck-interest': d.id }, input, h('label', { for: id }, h('bdi', null, d.label)));
        }),
      )
    : null;
  const renderInterests = () => {
    if (!interests || !interestBoxes.size) return;
    const held = new Set(interests.get());
    for (const [id, input] of interestBoxes) input.checked = held.has(id);
  };
  const toggleInterest = (input: HTMLInputElement) =>
    act(async () => {
      const want = [...interestBoxes].filter(([, i]) => i.checked).map(([id]) => id);
      const r = await interests!.declare(want);
      say(r.stored ? L.interestsSaved : L.interestsNoConsent);
    }, L.interestsFailed).then(guard(renderInterests));

  // Your data: download, forget (with a confirmation inside the component) --
  const download = h('button', { type: 'button', onclick: () => act(downloadData, L.downloadFailed) }, L.download);
  const forget = h('button.ck-danger', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'ck-confirm' }, L.forget);
  const cancel = h('button', { type: 'button' }, L.cancel);
  const confirm = h('button.ck-danger.ck-primary', { type: 'button' }, L.confirmYes);
  const confirmBox = h(
    'div.ck-confirm',
    { id: 'ck-confirm', role: 'group', 'aria-labelledby': 'ck-confirm-q', hidden: true },
    h('p', { id: 'ck-confirm-q' }, L.confirm),
    h('div.ck-row', null, confirm, cancel),
  );
  const showConfirm = (open: boolean, focus = true) => {
    confirmBox.hidden = !open;
    forget.setAttribute('aria-expanded', String(open));
    if (focus) (open ? cancel : forget).focus();
  };
  forget.addEventListener('click', () => showConfirm(!!confirmBox.hidden));
  cancel.addEventListener('click', () => showConfirm(false));
  confirmBox.addEventListener('keydown', (e) => e.key == 'Escape' && showConfirm(false));
  confirm.addEventListener('click', () =>
    act(async () => {
      await client.forget();
      showConfirm(false);
      say(L.forgotten);
      emit('cohortkit-forget');
    }, L.forgetFailed).then(refresh),
  );
  async function downloadData() {
    const data = await client.exportData();
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const name = `cohortkit-data-${new Date(data.exportedAt).toISOString().slice(0, 10)}.json`;
    const a = h<HTMLAnchorElement>('a', { href: url, download: name, hidden: true });
    root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(fill(L.downloaded, { file: name }));
  }

  // Segments and ledger -------------------------------------------------------
  const segmentsBox = h('div.ck-segments');
  const verifyLine = h('p.ck-verify');
  const ledgerBox = h('div.ck-ledger');
  const open = new Set<string>();
  const describe = (() => {
    let map: Map<string, string> | undefined;
    return (id: string) => {
      try {
        map ??= new Map((typeof client.catalog == 'function' ? client.catalog() : []).map((s) => [s.id, s.description]));
      } catch {
        map = new Map();
      }
      return map.get(id);
    };
  })();
  const renderSegments = (list: Membership[]) => {
    const focused = (root.activeElement?.closest('details') as HTMLElement | null)?.dataset.ckSegment;
    segmentsBox.replaceChildren(membershipList(L, list, describe, open));
    if (focused) (segmentsBox.querySelector(`details[data-ck-segment="${focused}"] summary`) as HTMLElement | null)?.focus();
  };
  const renderLedger = async () => {
    const [history, verified] = await Promise.all([client.consent.history(), client.consent.verify()]);
    const [text, ok] = verifyText(L, history.length, verified);
    verifyLine.textContent = text;
    verifyLine.className = `ck-verify ${ok ? 'ck-ok' : 'ck-bad'}`;
    verifyLine.dataset.ckVerified = String(verified);
    const refocus = !!root.activeElement && ledgerBox.contains(root.activeElement);
    ledgerBox.replaceChildren(...(history.length ? [ledgerTable(L, history)] : []));
    if (refocus) (ledgerBox.firstElementChild as HTMLElement | null)?.focus();
  };

  let busy: Promise<void> | undefined;
  let again = false;
  /** Re-reads everything (coalesced: one run at a time, one more if asked meanwhile). */
  function refresh(): Promise<void> {
    if (busy) return (again = true), busy;
    busy = (async () => {
      do {
        again = false;
        try {
          renderConsent(client.consent.get());
          renderInterests();
          renderSegments(await client.segments());
          await renderLedger();
        } catch (e) {
          say(fill(L.loadFailed, { error: message(e) }));
        }
      } while (again);
      busy = undefined;
      root.host.setAttribute('data-ready', '');
    })();
    return busy;
  }

  root.append(
    h(
      'section.ck',
      { part: 'root', ...(opts.heading ? { 'aria-labelledby': 'ck-title' } : { 'aria-label': L.region }) },
      opts.heading ? h('h2', { id: 'ck-title' }, opts.heading) : null,
      L.intro ? h('p.ck-muted.ck-small', null, L.intro) : null,
      purposeSet,
      interestSet,
      status,
      h('h3', null, L.data),
      h('div.ck-row', null, download, forget),
      confirmBox,
      h('h3', null, L.why),
      segmentsBox,
      h('h3', null, L.history),
      verifyLine,
      ledgerBox,
    ),
  );

  let off: Array<() => void> = [];
  return {
    refresh,
    connect() {
      if (off.length) return;
      const on = (ev: 'consent' | 'segments') =>
        client.on(ev, () => {
          void refresh();
        });
      try {
        off = [on('consent'), on('segments')];
      } catch (e) {
        say(fill(L.loadFailed, { error: message(e) }));
      }
      guard(() => renderConsent(client.consent.get()))();
      void refresh();
    },
    disconnect() {
      off.forEach((f) => f());
      off = [];
    },
  };
}

export type PreferenceView = ReturnType<typeof createView>;
