import type { CompiledSpace } from './validate';

/**
 * The visitor's cohort index in `space`: the first cohort whose segment is a member, else the
 * fallback `cohorts.length`.
 * @param isMember whether the visitor currently belongs to a segment (by id)
 */
export function assignCohort(space: Pick<CompiledSpace, 'cohorts'>, isMember: (segmentId: string) => boolean): number {
  const i = space.cohorts.findIndex((c) => isMember(c.segment));
  return i < 0 ? space.cohorts.length : i;
}
