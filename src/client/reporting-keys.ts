// Storage keys of private reporting, shared by the runtime (add-on) and the idle runtime (core).
import { deletes, relyingOn } from '../storage/ops';
import type { OutboxEntry } from '../storage/schema';
import type { WriteOp } from '../storage/store';

export const MEMO_KEY = 'report:memo';
export const EPOCHS_KEY = 'report:epochs';
/** ε ever spent on fresh draws per space (report.lifetimeBudget); deleted only by forget(). */
export const LIFETIME_KEY = 'privacy:lifetime';

export type EpochRecord = { spent: number; spaces: string[]; skipped: string[]; budget: number };

/** A stored record that is not an outbox entry (edited by another script) is ignored, never fatal. */
export const isEntry = (e: any): boolean =>
  typeof e?.id == 'string' && Array.isArray(e.purposes) && typeof e.report?.epoch == 'number' && typeof e.nextAt == 'number';

/** What a withdrawal of `purpose` deletes from the outbox (queued and sent copies; the memos with measurement). */
export function purgeOutbox(purpose: string, all: OutboxEntry[]): { gone: OutboxEntry[]; ops: WriteOp[]; queued: number } {
  const gone = relyingOn(all, (p) => p === purpose);
  const ops = deletes('outbox', gone);
  if (purpose === 'measurement') ops.push({ type: 'delete', store: 'meta', key: MEMO_KEY });
  return { gone, ops, queued: gone.filter((e) => !e.sentAt).length };
}
