// In-place update for the dashboard's auto-refresh: patch the live DOM to match a freshly built tree,
// keeping every node whose position, tag and key (data-space / data-cohort / data-goal …) are unchanged.
// Only changed text nodes and attributes are written, so there is no flicker, no scroll jump and a text
// selection or an open <select> survives a refresh. Our trees carry no listeners (attributes only).

const KEYS = ['data-space', 'data-cohort', 'data-goal', 'data-group', 'data-purpose', 'id'];
const key = (n) => (n.nodeType === 1 ? KEYS.map((k) => n.getAttribute(k) ?? '').join('|') : '');
const same = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName && a.namespaceURI === b.namespaceURI && key(a) === key(b);

/** Makes `live`'s attributes and children match `fresh` (same tag), reusing nodes where it can. */
export function morph(live, fresh) {
  for (const { name } of [...live.attributes]) if (!fresh.hasAttribute(name)) live.removeAttribute(name);
  for (const { name, value } of [...fresh.attributes]) if (live.getAttribute(name) !== value) live.setAttribute(name, value);
  morphChildren(live, fresh);
}

/** Makes `live`'s children match `fresh`'s (a node or a list of nodes); `fresh` is consumed. */
export function morphChildren(live, fresh) {
  const want = Array.isArray(fresh) ? fresh : [...fresh.childNodes];
  const have = [...live.childNodes];
  want.forEach((n, i) => {
    const o = have[i];
    if (!o) live.append(n);
    else if (!same(o, n)) live.replaceChild(n, o);
    else if (n.nodeType === 1) morph(o, n);
    else if (o.nodeValue !== n.nodeValue) o.nodeValue = n.nodeValue;
  });
  for (const o of have.slice(want.length)) o.remove();
}
