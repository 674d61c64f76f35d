// The segment catalog as data: pure, from the compiled segments and cohort spaces. Small on
// purpose (it ships in the main bundle for `client.catalog()`); the Markdown lives in ./markdown.
import type { Purpose } from '../options';
import type { CompiledSpace } from '../reporting';
import type { Catalog, CompiledRule } from '../segments';
import type { CatalogEntry, CatalogSpace, ContextKind } from '../types';

/** What retention depends on: the declared purposes and the default `retentionDays`. */
export interface RetentionPolicy {
  purposes: Purpose[];
  retentionDays: number;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/** Context kinds a rule reads itself (not through references). */
function contextKinds(r: CompiledRule, out: ContextKind[] = []): ContextKind[] {
  if (r.kind == 'context') out.push(r.context);
  else if (r.kind == 'not') contextKinds(r.rule, out);
  else if (r.kind == 'all' || r.kind == 'any') r.rules.forEach((x) => contextKinds(x, out));
  return out;
}

/**
 * Days a signal stored under `purposes` is kept, exactly as the client computes it: the smallest
 * of the default and each purpose's own `retentionDays`.
 */
export function retentionFor(policy: RetentionPolicy, purposes: string[]): number {
  const own = new Map(policy.purposes.map((p) => [p.id, p.retentionDays ?? policy.retentionDays]));
  return Math.min(policy.retentionDays, ...purposes.map((p) => own.get(p) ?? policy.retentionDays));
}

/** The catalog's segments (in the compiled, topological order) with everything they read and who reports them. */
export function catalogEntries(catalog: Catalog, spaces: CompiledSpace[], policy: RetentionPolicy): CatalogEntry[] {
  const done = new Map<string, { entry: CatalogEntry; days: number; declared: boolean }>();
  for (const s of catalog.segments) {
    const refs = s.refs.map((id) => done.get(id)!);
    const events = uniq(s.lineage.map((e) => e.event));
    // Declared interests are stored too (under their own purposes): such a segment is not context-only.
    const declared = s.declared.length > 0 || refs.some((r) => r.declared);
    // A signal read directly is kept under this segment's purposes; a referenced segment's signals under its own.
    const days = Math.max(s.events.length ? retentionFor(policy, s.effectivePurposes) : 0, ...refs.map((r) => r.days));
    const entry: CatalogEntry = {
      id: s.id,
      version: s.version,
      description: s.description,
      ...(s.goal === undefined ? {} : { goal: s.goal }),
      purposes: [...s.effectivePurposes],
      sensitive: s.sensitive,
      contextOnly: !events.length && !declared,
      retentionDays: days,
      reads: events.map((event) => ({ event, props: [...(catalog.reads.get(event) ?? [])].sort() })),
      references: [...s.refs],
      spaces: spaces.filter((sp) => sp.cohorts.some((c) => c.segment == s.id)).map((sp) => sp.id),
      context: uniq([...contextKinds(s.rule), ...refs.flatMap((r) => r.entry.context)]),
      minEvidence: s.minEvidence,
    };
    done.set(s.id, { entry, days, declared });
  }
  return catalog.segments.map((s) => done.get(s.id)!.entry);
}

/** The cohort spaces as documented (copies: the caller may keep or change them). */
export const catalogSpaces = (spaces: CompiledSpace[]): CatalogSpace[] =>
  spaces.map(({ id, version, description, k, cohorts, fallback, purposes }) => ({
    id,
    version,
    description,
    k,
    cohorts: cohorts.map((c) => ({ ...c })),
    fallback,
    purposes: [...purposes],
  }));
