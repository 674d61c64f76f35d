import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createPendingWrites, type Store, type WriteOp } from '../../src/storage';
import type { OutboxEntry } from '../../src/storage';

const entry = (id: string, attempts = 0): OutboxEntry => ({
  id,
  report: { v: 1, id, space: 's', spaceVersion: 1, epoch: 1, k: 2, mechanism: 'grr', epsilon: 1, value: 0 },
  purposes: ['measurement'],
  attempts,
  nextAt: 0,
});
/** A memory store whose writes fail while `broken`. */
function flaky() {
  const inner = createMemoryStore();
  const s = { broken: false, writes: 0 };
  const store: Store = {
    ...inner,
    async write(ops) {
      s.writes++;
      if (s.broken) throw new DOMException('quota', 'QuotaExceededError');
      return inner.write(ops);
    },
  };
  return Object.assign(s, { store });
}
const sortById = (xs: OutboxEntry[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('pending writes', () => {
  it('a refused batch waits, is laid over what is stored, and goes with the next write', async () => {
    const f = flaky();
    const p = createPendingWrites();
    expect(await p.write(f.store, [{ type: 'put', store: 'outbox', value: entry('a') }])).toBeUndefined();
    f.broken = true;
    const err = await p.write(f.store, [
      { type: 'put', store: 'outbox', value: entry('b') },
      { type: 'delete', store: 'outbox', key: 'a' },
      { type: 'put', store: 'meta', key: 'memo', value: { x: 1 } },
    ]);
    expect((err as DOMException).name).toBe('QuotaExceededError');
    expect(p.size).toBe(3);
    const stored = await f.store.getAll('outbox');
    expect(stored.map((e) => e.id)).toEqual(['a']); // nothing of the batch was written
    expect(p.view('outbox', stored).map((e) => e.id)).toEqual(['b']); // but the view has it
    f.broken = false;
    expect(await p.write(f.store, [])).toBeUndefined();
    expect(p.size).toBe(0);
    expect((await f.store.getAll('outbox')).map((e) => e.id)).toEqual(['b']);
    expect(await f.store.get('meta', 'memo')).toEqual({ x: 1 });
  });

  it('keep: false — a refused batch is not kept, what waited before still waits', async () => {
    const f = flaky();
    f.broken = true;
    const p = createPendingWrites();
    await p.write(f.store, [{ type: 'put', store: 'outbox', value: entry('a') }]);
    expect(await p.write(f.store, [{ type: 'put', store: 'outbox', value: entry('b') }], false)).toBeInstanceOf(DOMException);
    expect(p.view('outbox', []).map((e) => e.id)).toEqual(['a']);
    f.broken = false;
    await p.write(f.store, []);
    expect((await f.store.getAll('outbox')).map((e) => e.id)).toEqual(['a']);
  });

  it('a later op on the same key wins; drop forgets waiting puts', async () => {
    const f = flaky();
    f.broken = true;
    const p = createPendingWrites();
    await p.write(f.store, [{ type: 'put', store: 'outbox', value: entry('a', 1) }, { type: 'put', store: 'outbox', value: entry('c') }]);
    await p.write(f.store, [{ type: 'put', store: 'outbox', value: entry('a', 2) }]);
    expect(p.size).toBe(2);
    expect(p.view('outbox', []).find((e) => e.id === 'a')!.attempts).toBe(2);
    p.drop((op) => op.type === 'put' && op.store === 'outbox' && op.value.id === 'c');
    f.broken = false;
    await p.write(f.store, []);
    expect((await f.store.getAll('outbox')).map((e) => [e.id, e.attempts])).toEqual([['a', 2]]);
  });

  it('property: after any sequence of writes, some refused, and one that succeeds, the store holds what a never-failing store would', async () => {
    const op = fc.oneof(
      fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), attempts: fc.nat(3) }).map(({ id, attempts }): WriteOp => ({ type: 'put', store: 'outbox', value: entry(id, attempts) })),
      fc.constantFrom('a', 'b', 'c', 'd').map((key): WriteOp => ({ type: 'delete', store: 'outbox', key })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ ops: fc.array(op, { maxLength: 4 }), broken: fc.boolean() }), { maxLength: 8 }), async (steps) => {
        const f = flaky();
        const reference = createMemoryStore();
        const p = createPendingWrites();
        for (const { ops, broken } of steps) {
          f.broken = broken;
          await p.write(f.store, ops);
          await reference.write(ops);
          // what the client sees is always what it wrote
          expect(sortById(p.view('outbox', await f.store.getAll('outbox')))).toEqual(await reference.getAll('outbox'));
        }
        f.broken = false;
        await p.write(f.store, []);
        expect(await f.store.getAll('outbox')).toEqual(await reference.getAll('outbox'));
      }),
      { numRuns: 200 },
    );
  });
});
