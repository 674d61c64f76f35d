// The compiled catalog: topological order, effective purposes and sensitivity, read sets.
import type { Catalog, CompiledSegment } from './types';

/** A validated segment before catalog-wide facts (effective purposes, sensitivity, lineage) are derived. */
export type SegmentDraft = Omit<CompiledSegment, 'effectivePurposes' | 'lineage'>;

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * Builds a Catalog from validated, acyclic segment drafts whose references all exist.
 * @param drafts segments in declaration order (the order kept among independent segments)
 */
export function createCatalog(drafts: SegmentDraft[]): Catalog {
  const drafted = new Map(drafts.map((d) => [d.id, d]));
  const byId = new Map<string, CompiledSegment>();
  const segments: CompiledSegment[] = [];
  const visit = (d: SegmentDraft): CompiledSegment => {
    let s = byId.get(d.id);
    if (s) return s;
    const refs = d.refs.map((r) => visit(drafted.get(r)!));
    s = {
      ...d,
      effectivePurposes: uniq([...d.purposes, ...refs.flatMap((r) => r.effectivePurposes)]),
      sensitive: d.sensitive || refs.some((r) => r.sensitive),
      lineage: uniq([...d.events, ...refs.flatMap((r) => r.lineage)]),
    };
    byId.set(d.id, s);
    segments.push(s);
    return s;
  };
  drafts.forEach(visit);

  const reads = new Map<string, Set<string>>();
  const direct = new Map<string, string[]>(); // event -> ids of segments reading it directly
  const referrers = new Map<string, string[]>(); // id -> ids of segments referencing it directly
  for (const s of segments) {
    for (const e of s.events) {
      const keys = reads.get(e.event) ?? new Set<string>();
      e.where.forEach(([k]) => keys.add(k));
      reads.set(e.event, keys);
      direct.set(e.event, uniq([...(direct.get(e.event) ?? []), s.id]));
    }
    for (const r of s.refs) referrers.set(r, [...(referrers.get(r) ?? []), s.id]);
  }

  return {
    segments,
    reads,
    has: (id) => byId.has(id),
    get: (id) => byId.get(id),
    segmentsReadingEvent(event) {
      const hit = new Set(direct.get(event));
      for (const id of hit) referrers.get(id)?.forEach((r) => hit.add(r)); // a Set iterates over late additions
      return segments.filter((s) => hit.has(s.id)).map((s) => s.id);
    },
    purposesForEvent(event) {
      const lists = (direct.get(event) ?? []).map((id) => byId.get(id)!.effectivePurposes);
      return uniq(lists.map((l) => l.join(' '))).map((k) => (k ? k.split(' ') : []));
    },
  };
}
