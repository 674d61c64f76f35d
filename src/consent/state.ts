import type { ConsentRecord, ConsentSource, ConsentState } from '../types';

/** Consent state from the ledger: each purpose's latest record; a policy change leaves it `unset`. */
export function deriveState(purposes: string[], records: ConsentRecord[]): ConsentState {
  const state: ConsentState = {};
  for (const p of purposes) state[p] = 'unset';
  for (const r of records) {
    // Only declared purposes (a stored record naming 'constructor' must not add a key).
    if (!purposes.includes(r?.purpose)) continue;
    state[r.purpose] = r.source === 'policy-change' ? 'unset' : r.granted ? 'granted' : 'denied';
  }
  return state;
}

/** The latest record of a purpose, if any. */
export function lastRecordOf(records: ConsentRecord[], purpose: string): ConsentRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (records[i]!.purpose === purpose) return records[i];
  return undefined;
}

export const SOURCES: readonly ConsentSource[] = [
  'banner',
  'preference-center',
  'api',
  'gpc',
  'tcf',
  'consent-mode',
  'gpp',
  'policy-change',
];

/** Sources that speak for the visitor directly; only these can override GPC. */
export const isVisitorChoice = (s: ConsentSource) => s === 'banner' || s === 'preference-center';

/** Sources that re-announce a CMP's state: recorded only when their own value changes. */
export const isAdapterSource = (s: ConsentSource) => s === 'tcf' || s === 'consent-mode' || s === 'gpp';
