import { CohortkitError } from '../errors';
import type { DecideRequest, Duration } from '../types';
import { parseDuration } from './caps';

/** Segment ids, as in API.md. */
const SEGMENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Longest slot name. */
export const MAX_SLOT_LENGTH = 64;
const REQUEST_KEYS = ['slot', 'variants', 'fallback', 'holdout', 'cap', 'allowSensitive'];

const fail = (msg: string): never => {
  throw new CohortkitError('invalid-argument', msg);
};
const isPlain = (v: unknown): v is Record<string, unknown> => {
  const p = typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : 0;
  return p === null || (typeof p === 'object' && Object.getPrototypeOf(p) === null);
};
/** Reads a plain object's own keys into a copy, rejecting keys outside `allowed`. */
const readObject = (v: unknown, path: string, allowed: string[]): Record<string, unknown> => {
  if (!isPlain(v)) fail(`${path}: expected an object`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) {
    if (!allowed.includes(k)) fail(`${path}.${k}: unknown key`);
    try {
      out[k] = (v as Record<string, unknown>)[k];
    } catch (e) {
      throw new CohortkitError('invalid-argument', `${path}.${k}: could not be read`, e);
    }
  }
  return out;
};

/**
 * Validates a `decide()` request and returns a snapshot copy of it (each getter read once).
 * Throws `CohortkitError('invalid-argument')` naming the path, e.g. `request.variants[1].segment: …`.
 * `fallback` must be present (its value may be anything, `undefined` included); optional keys set to
 * `undefined` count as absent.
 */
export function validateDecideRequest(req: unknown): DecideRequest {
  let path = 'request';
  try {
    const r = readObject(req, path, REQUEST_KEYS);
    const { slot, variants, holdout, cap, allowSensitive } = r;
    path = 'request.slot';
    if (typeof slot !== 'string' || !slot || slot.length > MAX_SLOT_LENGTH)
      fail(`${path}: expected a non-empty string of at most ${MAX_SLOT_LENGTH} characters`);
    path = 'request.variants';
    if (!Array.isArray(variants)) fail(`${path}: expected an array of { segment, value }`);
    const out: DecideRequest = { slot: slot as string, variants: [], fallback: r.fallback };
    (variants as unknown[]).forEach((item, i) => {
      path = `request.variants[${i}]`;
      const v = readObject(item, path, ['segment', 'value']);
      if (typeof v.segment !== 'string' || !SEGMENT_ID.test(v.segment)) fail(`${path}.segment: expected a segment id`);
      if (!('value' in v)) fail(`${path}.value: required`);
      out.variants.push({ segment: v.segment as string, value: v.value });
    });
    path = 'request';
    if (!('fallback' in r)) fail('request.fallback: required (the non-personalized default)');
    if (holdout !== undefined) {
      if (typeof holdout !== 'number' || !(holdout >= 0 && holdout <= 1)) fail('request.holdout: expected a number in [0, 1]');
      out.holdout = holdout as number;
    }
    if (cap !== undefined) {
      path = 'request.cap';
      const c = readObject(cap, path, ['max', 'per']);
      if (!Number.isSafeInteger(c.max) || (c.max as number) < 1) fail(`${path}.max: expected a positive integer`);
      if (parseDuration(c.per) === undefined) fail(`${path}.per: expected a duration like "1d"`);
      out.cap = { max: c.max as number, per: c.per as Duration };
    }
    if (allowSensitive !== undefined) {
      if (typeof allowSensitive !== 'boolean') fail('request.allowSensitive: expected a boolean');
      out.allowSensitive = allowSensitive as boolean;
    }
    return out;
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    throw new CohortkitError('invalid-argument', `${path}: could not be read`, e);
  }
}
