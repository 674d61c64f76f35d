import { fail } from '../validate';
import type { CohortkitErrorCode } from '../errors';

const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as "30m", "12h", "7d" or "1.5h" into milliseconds.
 * Decimal fractions are allowed ("1.5h", "0.5d"); signs, exponents, spaces, other units and zero are not.
 * @param s the text to parse
 * @returns the duration in ms, or undefined if `s` is not a positive duration
 */
export function parseDuration(s: unknown): number | undefined {
  const m = typeof s == 'string' ? /^(\d+(?:\.\d+)?)([mhd])$/.exec(s) : null;
  const ms = m ? +m[1] * UNIT[m[2]] : 0;
  return ms > 0 && ms < Infinity ? ms : undefined;
}

/** `parseDuration(v)`, or fails with `<path>: expected a duration like "7d"`. */
export const duration = (v: unknown, path: string, code?: CohortkitErrorCode): number =>
  parseDuration(v) ?? fail(path, 'expected a duration like "7d"', code);
