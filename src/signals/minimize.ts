import type { Scalar } from '../types';

/**
 * Keeps only what a declared segment or cohort space reads.
 * @param reads event name → the property keys read for it (an empty set: the event is read, no props).
 * @returns null when nothing reads the event (`unreferenced`), else the referenced props only.
 */
export function minimize(event: string, props: Record<string, Scalar>, reads: Map<string, Set<string>>): Record<string, Scalar> | null {
  const keys = reads.get(event);
  if (!keys) return null;
  const out: Record<string, Scalar> = {};
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(props, k)) out[k] = props[k];
  return out;
}

/** Canonical JSON of scalar props with keys sorted: equal props give equal keys. */
export function propsKey(props: Record<string, Scalar>): string {
  return `{${Object.keys(props)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(props[k])}`)
    .join(',')}}`;
}
