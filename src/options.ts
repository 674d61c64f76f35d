import { CohortkitError } from './errors';
import type { ClientOptions, PurposeOption } from './types';

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Thrown for bad options: the message starts with the path. */
export const optionsError = (path: string, what: string, cause?: unknown) =>
  new CohortkitError('invalid-options', `${path}: ${what}`, cause);

/** `a.b`, or `b` at the root. */
export const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Read a property, turning a throwing getter into invalid-options. */
export function read(obj: object, key: string, path: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (e) {
    throw optionsError(join(path, key), 'could not be read (its getter threw)', e);
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Ensure `v` is a plain object with only `allowed` keys; return a plain copy read through getters. */
export function readObject(v: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) throw optionsError(path || 'options', 'expected a plain object');
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw optionsError(join(path, k), `unknown option (expected one of ${allowed.join(', ')})`);
    const value = read(v, k, path);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

export interface Purpose {
  id: string;
  description?: string;
  retentionDays?: number;
}

export interface NormalizedOptions {
  purposes: Purpose[];
  policyVersion?: string;
  retentionDays: number;
  storage: 'indexeddb' | 'memory';
  namespace: string;
  respectGPC: boolean;
  now: () => number;
  raw: Record<string, unknown>;
}

const KEYS = [
  'purposes',
  'policyVersion',
  'segments',
  'cohorts',
  'report',
  'retentionDays',
  'storage',
  'namespace',
  'respectGPC',
  'now',
  'interop',
] as const;

const positive = (v: unknown, path: string) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw optionsError(path, 'expected a positive number');
  return v;
};

function normalizePurposes(v: unknown): Purpose[] {
  if (v === undefined) return [{ id: 'personalization' }, { id: 'measurement' }];
  if (!Array.isArray(v) || v.length === 0) throw optionsError('purposes', 'expected a non-empty array');
  const seen = new Set<string>();
  return v.map((item: unknown, i) => {
    const path = `purposes[${i}]`;
    const p: Purpose =
      typeof item === 'string'
        ? { id: item }
        : (() => {
            const o = readObject(item, path, ['id', 'description', 'retentionDays']) as Partial<PurposeOption>;
            if (o.description !== undefined && typeof o.description !== 'string')
              throw optionsError(`${path}.description`, 'expected a string');
            if (o.retentionDays !== undefined) positive(o.retentionDays, `${path}.retentionDays`);
            return o as Purpose;
          })();
    if (typeof p.id !== 'string' || !ID_PATTERN.test(p.id))
      throw optionsError(typeof item === 'string' ? path : `${path}.id`, `expected an id matching ${ID_PATTERN}`);
    if (seen.has(p.id)) throw optionsError(path, `duplicate purpose "${p.id}"`);
    seen.add(p.id);
    return p;
  });
}

/** Validate the options that every client needs; domain options are validated by their domains. */
export function normalizeOptions(input: unknown): NormalizedOptions {
  const o = readObject(input ?? {}, '', KEYS) as Record<string, unknown> & ClientOptions;
  if (o.policyVersion !== undefined && (typeof o.policyVersion !== 'string' || !o.policyVersion))
    throw optionsError('policyVersion', 'expected a non-empty string');
  if (o.storage !== undefined && o.storage !== 'indexeddb' && o.storage !== 'memory')
    throw optionsError('storage', 'expected "indexeddb" or "memory"');
  if (o.namespace !== undefined && (typeof o.namespace !== 'string' || !ID_PATTERN.test(o.namespace)))
    throw optionsError('namespace', `expected an id matching ${ID_PATTERN}`);
  if (o.respectGPC !== undefined && typeof o.respectGPC !== 'boolean')
    throw optionsError('respectGPC', 'expected a boolean');
  if (o.now !== undefined && typeof o.now !== 'function') throw optionsError('now', 'expected a function returning ms since epoch');
  if (o.retentionDays !== undefined) positive(o.retentionDays, 'retentionDays');
  const purposes = normalizePurposes(o.purposes);
  const userNow = o.now;
  return {
    purposes,
    policyVersion: o.policyVersion,
    retentionDays: o.retentionDays ?? 30,
    storage: o.storage ?? 'indexeddb',
    namespace: o.namespace ?? 'default',
    respectGPC: o.respectGPC ?? true,
    now: userNow ? () => Number(userNow()) : () => Date.now(),
    raw: o,
  };
}
