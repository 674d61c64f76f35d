// How declared interests are kept in the `signals` store: shared by the core (which reads, sweeps
// and purges them whether or not the add-on was loaded) and declare() (interests-declare.ts, an add-on).
export const PREFIX = 'interest|';

/** One stored declared interest (in the `signals` store, keyed by `key`). */
export interface StoredInterest {
  key: string;
  interest: string;
  purposes: string[];
  at: number;
}
