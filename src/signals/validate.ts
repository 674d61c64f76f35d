import { CohortkitError } from '../errors';
import type { Scalar } from '../types';

/** Event names and property keys. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** At most this many props per event. */
export const MAX_PROPS = 16;
/** Longest string prop value, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 256;

const NAME_HINT = '1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit';

/**
 * Validates the arguments of `track(event, props)`.
 * Returns the event and a fresh plain copy of the props (each getter read once);
 * throws `CohortkitError('invalid-argument')` whose message names the field.
 */
export function validateTrack(event: unknown, props: unknown): { event: string; props: Record<string, Scalar> } {
  let path = 'props';
  const fail = (msg: string): never => {
    throw new CohortkitError('invalid-argument', msg);
  };
  if (typeof event !== 'string') fail(`event: expected a string, got ${event === null ? 'null' : typeof event}`);
  if (!NAME_PATTERN.test(event as string)) fail(`event: expected ${NAME_HINT}`);
  const out: Record<string, Scalar> = {};
  if (props === undefined) return { event: event as string, props: out };
  try {
    const proto = typeof props === 'object' && props !== null ? Object.getPrototypeOf(props) : 0;
    // Object.prototype of any realm, or null.
    if (proto !== null && (typeof proto !== 'object' || Object.getPrototypeOf(proto) !== null))
      fail('props: expected a plain object');
    const keys = Object.keys(props as object);
    if (keys.length > MAX_PROPS) fail(`props: at most ${MAX_PROPS} keys, got ${keys.length}`);
    for (const key of keys) {
      if (!NAME_PATTERN.test(key)) fail(`props[${JSON.stringify(key.slice(0, 80))}]: key must be ${NAME_HINT}`);
      path = `props.${key}`;
      const value = (props as Record<string, unknown>)[key];
      if (typeof value === 'string') {
        if (value.length > MAX_STRING_LENGTH) fail(`${path}: string longer than ${MAX_STRING_LENGTH} characters`);
      } else if (typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
        fail(`${path}: expected a string, finite number or boolean`);
      }
      out[key] = value as Scalar;
    }
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    throw new CohortkitError('invalid-argument', `${path}: could not be read`, e);
  }
  return { event: event as string, props: out };
}
