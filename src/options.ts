import type { ClientOptions } from './types';
import { BOOL, ID, POSITIVE, STRING, TEXT, check, fail, list, newId, obj, want, type Check } from './validate';

export interface Purpose {
  id: string;
  description?: string;
  retentionDays?: number;
}

export interface Interest {
  id: string;
  label: string;
  purposes: string[];
}

export interface NormalizedOptions {
  purposes: Purpose[];
  interests: Interest[];
  policyVersion?: string;
  retentionDays: number;
  storage: 'indexeddb' | 'memory';
  namespace: string;
  respectGPC: boolean;
  persistStorage: boolean;
  encryptAtRest: boolean;
  now: () => number;
  raw: Record<string, unknown>;
}

const KEYS = ['purposes', 'policyVersion', 'segments', 'cohorts', 'report', 'retentionDays', 'storage', 'namespace', 'respectGPC', 'now', 'interop', 'persistStorage', 'interests', 'encryptAtRest'];

function normalizePurposes(v: unknown): Purpose[] {
  if (v === undefined) return [{ id: 'personalization' }, { id: 'measurement' }];
  const seen = new Set<string>();
  return list(v, 'purposes', 1).map((item, i) => {
    const path = `purposes[${i}]`;
    const string = typeof item == 'string';
    const p = string ? { id: item } : obj(item, path, ['id', 'description', 'retentionDays']);
    check(p, path, { description: STRING, retentionDays: POSITIVE });
    newId(seen, p.id, string ? path : `${path}.id`, path);
    return p as unknown as Purpose;
  });
}

/** `interests`: ids like segment ids (unique), a non-empty label, declared purposes (default ['personalization']). */
function normalizeInterests(v: unknown, purposes: string[]): Interest[] {
  if (v === undefined) return [];
  const seen = new Set<string>();
  return list(v, 'interests').map((item, i) => {
    const path = `interests[${i}]`;
    const o = obj(item, path, ['id', 'label', 'purposes']);
    const id = newId(seen, o.id, `${path}.id`);
    want(o.label, TEXT, `${path}.label`);
    const pp = `${path}.purposes`;
    const ps =
      o.purposes === undefined
        ? purposes.includes('personalization')
          ? ['personalization']
          : fail(pp, 'the default "personalization" is not declared')
        : list(o.purposes, pp, 1).map((p, j) =>
            typeof p == 'string' && purposes.includes(p) ? p : fail(`${pp}[${j}]`, `expected a declared purpose, got ${JSON.stringify(p)}`),
          );
    return { id, label: o.label as string, purposes: [...new Set(ps)] };
  });
}

const SPEC: Record<string, Check> = {
  policyVersion: [(v) => typeof v == 'string' && v, 'expected a non-empty string'],
  storage: [(v) => v === 'indexeddb' || v === 'memory', 'expected one of indexeddb, memory'],
  namespace: ID,
  respectGPC: BOOL,
  persistStorage: BOOL,
  encryptAtRest: BOOL,
  now: [(v) => typeof v == 'function', 'expected a function returning ms since epoch'],
  retentionDays: POSITIVE,
};

/**
 * Validates the options that every client needs; domain options are validated by their domains.
 * @param input the `createClient` options (undefined means all defaults)
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
export function normalizeOptions(input: unknown): NormalizedOptions {
  const o = obj(input ?? {}, '', KEYS) as Record<string, unknown> & ClientOptions;
  check(o, '', SPEC);
  const now = o.now;
  const purposes = normalizePurposes(o.purposes);
  return {
    purposes,
    interests: normalizeInterests(o.interests, purposes.map((p) => p.id)),
    policyVersion: o.policyVersion,
    retentionDays: o.retentionDays ?? 30,
    storage: o.storage ?? 'indexeddb',
    namespace: o.namespace ?? 'default',
    respectGPC: o.respectGPC ?? true,
    persistStorage: o.persistStorage ?? false,
    encryptAtRest: o.encryptAtRest ?? false,
    now: now ? () => Number(now()) : () => Date.now(),
    raw: o,
  };
}
