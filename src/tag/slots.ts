import type { Client, DecideRequest, Decision, Duration } from '../types';

export interface SlotOptions {
  /** Called when `decide` rejects for a slot (the slot keeps its fallback). */
  onError?: (error: unknown, slot: Element) => void;
}

interface SlotState {
  /** The slot's original (non-template) content: the fallback shown until a decision. */
  original: Node[];
  /** Bumped per fill: only the latest decision for a slot is applied. */
  seq: number;
  /** The template currently rendered; `undefined` = the original content. */
  shown?: HTMLTemplateElement;
}

const states = new WeakMap<Element, SlotState>();
const isTemplate = (n: Node): n is HTMLTemplateElement => n.nodeName == 'TEMPLATE';

/** Replaces the slot's non-template content with `t`'s content (scripts stripped) or the original. */
function render(el: Element, st: SlotState, t: HTMLTemplateElement | undefined): void {
  if (st.shown == t) return;
  st.shown = t;
  for (const n of Array.from(el.childNodes)) if (!isTemplate(n)) el.removeChild(n);
  if (t) {
    const f = t.content.cloneNode(true) as DocumentFragment;
    f.querySelectorAll('script').forEach((s) => s.remove());
    el.prepend(f);
  } else el.prepend(...st.original);
}

async function fillSlot(el: Element, client: Pick<Client, 'decide'>, opts: SlotOptions): Promise<void> {
  const kids = Array.from(el.childNodes);
  let st = states.get(el);
  if (!st) states.set(el, (st = { original: kids.filter((n) => !isTemplate(n)), seq: 0 }));
  const seq = ++st.seq;
  const templates = kids.filter(isTemplate);
  const fallback = templates.find((t) => t.hasAttribute('data-fallback'));
  const variants = templates
    .filter((t) => t.hasAttribute('data-variant'))
    .map((t) => ({ segment: t.getAttribute('data-variant')!, value: t as unknown }));
  const attr = (name: string) => el.getAttribute('data-' + name);
  const req: DecideRequest = { slot: attr('cohortkit-slot')!, variants, fallback: fallback ?? st.original };
  const holdout = attr('holdout');
  if (holdout) req.holdout = +holdout;
  const max = attr('cap-max');
  const per = attr('cap-per');
  if (max && per) req.cap = { max: +max, per: per as Duration };
  const sensitive = attr('allow-sensitive');
  if (sensitive != null && sensitive != 'false') req.allowSensitive = true;

  let d: Decision | undefined;
  try {
    d = await client.decide(req);
  } catch (e) {
    opts.onError?.(e, el);
  }
  if (seq != st.seq) return; // a later fill of this slot wins
  const hit =
    d?.reason == 'segment'
      ? (variants.find((v) => v.value === d.value) ?? variants.find((v) => v.segment == d.segment))
      : undefined;
  render(el, st, (hit?.value as HTMLTemplateElement | undefined) ?? fallback);
  el.setAttribute('data-cohortkit-reason', d ? d.reason : 'error');
  if (d?.segment) el.setAttribute('data-cohortkit-segment', d.segment);
  else el.removeAttribute('data-cohortkit-segment');
}

/**
 * Personalizes declarative slots under `root`: every `[data-cohortkit-slot="name"]` element with
 * `<template data-variant="segment-id">` children (in order) and optionally `<template data-fallback>`.
 * The slot's existing content stays until the decision, then is replaced once: by the winning
 * template's content on reason `'segment'`, else by the `data-fallback` template or the original
 * content. Optional attributes: `data-holdout`, `data-cap-max` + `data-cap-per`, `data-allow-sensitive`.
 * Sets `data-cohortkit-reason` (`'error'` if decide rejected) and `data-cohortkit-segment` for QA.
 * Builds DOM only by cloning templates; `<script>` elements are never inserted.
 * Safe to call again (see `refreshSlots`): only the latest decision per slot is applied.
 * @param root where to look for slots (a document or element)
 * @param client anything with `decide`
 * @param opts error callback
 */
export async function fillSlots(
  root: ParentNode,
  client: Pick<Client, 'decide'>,
  opts: SlotOptions = {},
): Promise<void> {
  await Promise.all(Array.from(root.querySelectorAll('[data-cohortkit-slot]'), (el) => fillSlot(el, client, opts)));
}

/** Re-decides every slot under `root` (after a consent or segments change); same as `fillSlots`. */
export const refreshSlots: typeof fillSlots = fillSlots;
