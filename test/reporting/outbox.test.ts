import { describe, expect, it } from 'vitest';
import { MAX_OUTBOX, admit, due, nextAttempt, pruneSent, secureUniform, settle } from '../../src/reporting';
import type { OutboxEntry } from '../../src/storage/schema';
import type { LDPReport } from '../../src/types';

const entry = (id: string, epoch: number, extra: Partial<OutboxEntry> = {}): OutboxEntry => ({
  id,
  report: { v: 1, id, space: 's', spaceVersion: 1, epoch, k: 2, mechanism: 'grr', epsilon: 1, value: 0 } as LDPReport,
  purposes: ['measurement'],
  attempts: 0,
  nextAt: 0,
  ...extra,
});

describe('nextAttempt', () => {
  it('grows exponentially from 2 s and is capped at 1 h', () => {
    const almostOne = () => 1 - 2 ** -53;
    const windows = [1, 2, 3, 4, 5, 11, 12, 13, 40, 2000].map((a) => nextAttempt(a, 1000, almostOne) - 1000);
    expect(windows.slice(0, 5)).toEqual([1999, 3999, 7999, 15999, 31999]);
    expect(windows.slice(5)).toEqual([2047999, 3599999, 3599999, 3599999, 3599999]);
    expect(nextAttempt(3, 1000, () => 0)).toBe(1000);
    expect(nextAttempt(3, 1000, () => 0.5)).toBe(1000 + 4000);
  });
  it('uses crypto jitter by default, within the window', () => {
    for (let i = 0; i < 50; i++) {
      const t = nextAttempt(2, 0);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(4000);
      const u = secureUniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});

describe('admit', () => {
  it('keeps everything under the bound and replaces an entry with the same id', () => {
    const q = [entry('a', 1), entry('b', 1)];
    expect(admit(q, entry('c', 2))).toEqual({ keep: [...q, entry('c', 2)], dropped: [] });
    const r = admit(q, entry('a', 1, { attempts: 3 }));
    expect(r.keep.map((e) => [e.id, e.attempts])).toEqual([['b', 0], ['a', 3]]);
  });
  it('drops sent entries first, then the oldest epoch’s unsent entries', () => {
    const q: OutboxEntry[] = [];
    for (let i = 0; i < MAX_OUTBOX; i++) q.push(entry(`e${i}`, i < 50 ? 20 : i < 60 ? 10 : 30));
    const r = admit(q, entry('new', 31));
    expect(r.keep).toHaveLength(MAX_OUTBOX);
    expect(r.dropped.map((e) => e.id)).toEqual(['e50']);
    expect(r.keep.at(-1)?.id).toBe('new');
    expect(r.keep.map((e) => e.id)).toEqual(q.map((e) => e.id).filter((id) => id !== 'e50').concat('new'));
    // The new entry itself goes when it is the oldest.
    expect(admit(q, entry('old', 3)).dropped.map((e) => e.id)).toEqual(['old']);
    // Sent entries (kept only for exportData) go first, oldest epoch first.
    q[70] = entry('sent-late', 40, { sentAt: 5 });
    q[80] = entry('sent-early', 35, { sentAt: 5 });
    expect(admit(q, entry('n', 1)).dropped.map((e) => e.id)).toEqual(['sent-early']);
  });
  it('never exceeds the bound', () => {
    let q: OutboxEntry[] = [];
    for (let i = 0; i < 3 * MAX_OUTBOX; i++) q = admit(q, entry(`x${i}`, i % 7)).keep;
    expect(q).toHaveLength(MAX_OUTBOX);
  });
});

describe('due, settle and pruneSent', () => {
  const q = [entry('a', 1, { nextAt: 100 }), entry('b', 1, { nextAt: 300 }), entry('c', 1, { sentAt: 50 })];
  it('due returns unsent entries whose time has come, or all unsent when forced', () => {
    expect(due(q, 200, false).map((e) => e.id)).toEqual(['a']);
    expect(due(q, 200, true).map((e) => e.id)).toEqual(['a', 'b']);
  });
  it('settle marks sent, drops permanent failures and reschedules the rest', () => {
    expect(settle(q[0], { ok: true }, 500)).toEqual({ ...q[0], sentAt: 500 });
    expect(settle(q[0], { ok: false, permanent: true }, 500)).toBeUndefined();
    expect(settle(q[0], { ok: false }, 500, () => 0.5)).toEqual({ ...q[0], attempts: 1, nextAt: 1500 });
  });
  it('pruneSent removes sent entries once their epoch ended', () => {
    const DAY = 86_400_000;
    expect(pruneSent(q, 2 * DAY - 1, 'day').map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(pruneSent(q, 2 * DAY, 'day').map((e) => e.id)).toEqual(['a', 'b']);
    expect(pruneSent(q, 2 * DAY, 'week').map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });
});
