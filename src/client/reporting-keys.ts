// Storage keys of private reporting, shared by the runtime (add-on) and the idle runtime (core).
export const MEMO_KEY = 'report:memo';
export const EPOCHS_KEY = 'report:epochs';
/** ε ever spent on fresh draws per space (report.lifetimeBudget); deleted only by forget(). */
export const LIFETIME_KEY = 'privacy:lifetime';

export type EpochRecord = { spent: number; spaces: string[]; skipped: string[]; budget: number };

/** A stored record that is not an outbox entry (edited by another script) is ignored, never fatal. */
export const isEntry = (e: any): boolean =>
  typeof e?.id == 'string' && Array.isArray(e.purposes) && typeof e.report?.epoch == 'number' && typeof e.nextAt == 'number';
