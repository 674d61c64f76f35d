import { arr, opt, purposeList, req, shape, uniqueId } from './schema';
import { BOOL, ID, POSITIVE, STRING, TEXT, newId, oneOf } from './validate';

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

/**
 * Validates the options that every client needs; domain options are validated by their domains.
 * @param input the `createClient` options (undefined means all defaults)
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
export function normalizeOptions(input: unknown): NormalizedOptions {
  const purposeIds = new Set<string>();
  const interestIds = new Set<string>();
  return shape(
    {
      policyVersion: opt([(v) => typeof v == 'string' && v, 'expected a non-empty string']),
      storage: opt(oneOf(['indexeddb', 'memory']), 'indexeddb'),
      namespace: opt(ID, 'default'),
      respectGPC: opt(BOOL, true),
      persistStorage: opt(BOOL, false),
      encryptAtRest: opt(BOOL, false),
      now: opt([(v) => typeof v == 'function', 'expected a function returning ms since epoch']),
      retentionDays: opt(POSITIVE, 30),
      // A purpose is an id or { id, description, retentionDays } (kept as read); defaults: personalization, measurement.
      purposes: opt(
        arr((v, p) => {
          const string = typeof v == 'string';
          const o = string ? { id: v } : shape({ description: opt(STRING), retentionDays: opt(POSITIVE) }, ['id', 'description', 'retentionDays'], (_, __, o) => o)(v, p);
          newId(purposeIds, o.id, string ? p : `${p}.id`, p);
          return o;
        }, 1),
        [{ id: 'personalization' }, { id: 'measurement' }],
      ),
      // `interests`: ids like segment ids (unique), a non-empty label, declared purposes (default ['personalization']).
      interests: (v, p, c, out) =>
        v === undefined ? [] : arr(shape({ id: uniqueId(interestIds), label: req(TEXT), purposes: purposeList(out.purposes.map((x: Purpose) => x.id), 1) }))(v, p),
    },
    KEYS,
    (out, _, raw) => {
      const now = out.now;
      return { ...out, policyVersion: out.policyVersion, now: now ? () => Number(now()) : () => Date.now(), raw };
    },
  )(input ?? {}, '');
}
