// A tiny DOM builder: text only through text nodes (never innerHTML), no style attributes (CSP).

type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;
export type Child = Node | string | number | null | undefined | false;

/**
 * `h('p.note', { id: 'x' }, 'text', child)`: attributes starting with "on" are listeners; `true`
 * sets an empty attribute, `false`/`undefined` skips it. Never sets `style`.
 */
export function h<T extends HTMLElement = HTMLElement>(tag: string, attrs?: Attrs | null, ...kids: Array<Child | Child[]>): T {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name) as T;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false || k == 'style') continue;
    if (typeof v == 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...kids.flat().filter((k): k is Node | string | number => k != null && k !== false).map((k) => (typeof k == 'number' ? String(k) : k)));
  return el;
}

/** A value as short text: strings as they are, the rest as JSON. */
export const show = (v: unknown): string => (v === undefined ? '—' : typeof v == 'string' ? v : JSON.stringify(v));

/** ms since epoch → a short local date and time. */
export const fmtTime = (t: number | undefined): string =>
  t === undefined || !Number.isFinite(t) ? '—' : new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
