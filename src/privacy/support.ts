import type { MechanismName, ReportValue } from '../types';
import { olhHash } from './murmur3';
import { fromBase64url } from './random';

/** A report value together with the mechanism that produced it. */
export type SupportInput = ReportValue & { mechanism: MechanismName };

/**
 * Calls `fn(i)` for every cohort index i in [0, k) that the report supports
 * (GRR: its value; OUE: its set bits; SS: its items; OLH: every i with olhHash(i, seed, g) === value).
 * Assumes a validated report.
 */
export function eachSupport(report: SupportInput, k: number, fn: (index: number) => void): void {
  const r = report as { mechanism: MechanismName; value: number; bits: string; items: string; seed: number; g: number };
  if (r.mechanism === 'grr') fn(r.value);
  else if (r.mechanism === 'olh') {
    for (let i = 0; i < k; i++) if (olhHash(i, r.seed, r.g) === r.value) fn(i);
  } else {
    const b = fromBase64url(r.mechanism === 'ss' ? r.items : r.bits) ?? new Uint8Array(0);
    for (let i = 0; i < k && i >> 3 < b.length; i++) if ((b[i >> 3] >> (i & 7)) & 1) fn(i);
  }
}

/** The cohort indices in [0, k) that a report supports, ascending. */
export function supports(report: SupportInput, k: number): number[] {
  const out: number[] = [];
  eachSupport(report, k, (i) => out.push(i));
  return out;
}
