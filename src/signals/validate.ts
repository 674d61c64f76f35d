import type { Scalar } from '../types';
import { NAME, NAME_PATTERN, SCALAR, fail, isScalar, keys, read, show, want } from '../validate';

export { NAME_PATTERN };
/** At most this many props per event. */
export const MAX_PROPS = 16;
/** Longest string prop value, in characters (code points: an emoji is one). */
export const MAX_STRING_LENGTH = 256;

const A = 'invalid-argument';

/**
 * Validates the arguments of `track(event, props)`.
 * Returns the event and a fresh plain copy of the props (each getter read once);
 * throws `CohortkitError('invalid-argument')` whose message names the field.
 */
export function validateTrack(event: unknown, props: unknown): { event: string; props: Record<string, Scalar> } {
  if (typeof event != 'string') fail('event', `expected a string, got ${event === null ? 'null' : typeof event}`, A);
  want(event, NAME, 'event', A);
  const out: Record<string, Scalar> = {};
  if (props !== undefined) {
    const ks = keys(props, 'props', A);
    if (ks.length > MAX_PROPS) fail('props', `at most ${MAX_PROPS} keys, got ${ks.length}`, A);
    for (const k of ks) {
      if (!NAME_PATTERN.test(k)) fail(`props[${show(k.slice(0, 80))}]`, NAME[1], A);
      const p = `props.${k}`;
      const v = read(() => (props as Record<string, unknown>)[k], p, A);
      if (!isScalar(v)) fail(p, SCALAR, A);
      // Code points, counted only when the code units could be too many (a code point is 1 or 2 of them).
      const n = (v as string).length;
      if (n > MAX_STRING_LENGTH && (n > 2 * MAX_STRING_LENGTH || [...(v as string)].length > MAX_STRING_LENGTH))
        fail(p, `string longer than ${MAX_STRING_LENGTH} characters`, A);
      out[k] = v as Scalar;
    }
  }
  return { event: event as string, props: out };
}
