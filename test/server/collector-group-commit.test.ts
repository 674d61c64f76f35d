// @vitest-environment node
// Group commit: concurrent POSTs share one store transaction. Real HTTP on loopback against the
// memory store, PGlite and PostgreSQL (DATABASE_URL); faults injected into one transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEstimator,
  createMemoryStore,
  createPGliteStore,
  createPostgresStore,
  startCollectorServer,
  type BatchResult,
  type CollectorStore,
} from '../../src/server/index';
import type { LDPReport } from '../../src/types';
import { call, EPOCH, expectSameEstimate, makeReports, SPACES } from './collector-helpers';

const url = process.env.DATABASE_URL;
const schema = `cohortkit_gc_${process.pid}`;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
});

/** Wraps a real store: counts transactions (and their sizes); `gate` holds the next call until released. */
function spy(inner: CollectorStore, kind = inner.kind) {
  const calls: number[] = [];
  let hold: Promise<void> | undefined;
  let failNext: number[] = [];
  const store: CollectorStore = {
    kind,
    init: () => inner.init(),
    async addBatch(reports: LDPReport[], today?: number): Promise<BatchResult> {
      const n = calls.push(reports.length);
      const h = hold;
      hold = undefined;
      if (h) await h;
      if (failNext.includes(n)) throw new Error(`injected fault in transaction ${n}`);
      return inner.addBatch(reports, today);
    },
    rows: (s, e) => inner.rows(s, e),
    epochs: (s, v) => inner.epochs(s, v),
    close: () => inner.close(),
  };
  return {
    store,
    calls,
    /** The next transaction waits for the returned release function. */
    gate(): () => void {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return release;
    },
    /** Transactions (1-based, counting from the first) that throw instead of committing. */
    fail(...n: number[]) {
      failNext = n;
    },
  };
}

/** Lets the collector read the bodies already sent (loopback) before a gate opens. */
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
const total = async (base: string) => ((await call(base, 'GET', '/v1/estimates?space=lifecycle')).body as { n: number }).n;

const backends: Array<[string, () => CollectorStore, boolean]> = [
  ['memory', () => createMemoryStore(), true],
  ['PGlite', () => createPGliteStore({ dataDir: (dirs.push(mkdtempSync(join(tmpdir(), 'cohortkit-gc-'))), dirs.at(-1)!) }), true],
  ['PostgreSQL', () => createPostgresStore({ databaseUrl: url!, schema: `${schema}_${Math.random().toString(36).slice(2, 8)}` }), !!url],
];

describe.each(backends)('group commit over HTTP: %s', (name, make, enabled) => {
  it.skipIf(!enabled)('60 concurrent requests share transactions; each is answered for its own reports; overlapping ids count once', async () => {
    const s = spy(make());
    const srv = await startCollectorServer({ spaces: SPACES, store: s.store, rateLimit: false, perAddressLimit: false });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const pool = makeReports(120, 51);
      // Request i sends 3 reports; request i + 30 sends them again (with one more of its own).
      const bodies = Array.from({ length: 60 }, (_, i) => [...pool.slice(3 * (i % 30), 3 * (i % 30) + 3), ...(i >= 30 ? [pool[60 + i]] : [])]);
      const replies = await Promise.all(bodies.map((b) => call(srv.url, 'POST', '/v1/reports', b, {}, agent)));
      for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(202);
      const sent = new Set(bodies.flat().map((r) => r.id));
      // Each sent report: accepted by exactly one request, `duplicate` in every other that sent it.
      const accepted = replies.reduce((n, r) => n + r.body.accepted, 0);
      expect(accepted).toBe(sent.size);
      const dups = replies.flatMap((r) => r.body.rejected);
      expect(dups.every((d: { error: string }) => d.error === 'duplicate')).toBe(true);
      expect(accepted + dups.length).toBe(bodies.flat().length);
      // Fewer transactions than requests: concurrent requests were committed together.
      expect(s.calls.length).toBeLessThan(60);
      expect(Math.max(...s.calls)).toBeGreaterThan(3);
      const est = createEstimator({ spaces: SPACES });
      for (const r of pool.filter((r) => sent.has(r.id))) est.add(r);
      expectSameEstimate((await call(srv.url, 'GET', '/v1/estimates?space=lifecycle')).body, est.estimate('lifecycle'));
    } finally {
      agent.destroy();
      await srv.close();
    }
  }, 30_000);

  it.skipIf(!enabled)('a fault in one transaction fails exactly its requests (503, nothing counted); they retry cleanly', async () => {
    const s = spy(make(), 'spy');
    const srv = await startCollectorServer({ spaces: SPACES, store: s.store, rateLimit: false, perAddressLimit: false });
    try {
      await call(srv.url, 'GET', '/healthz');
      const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((i) => makeReports(4, 60 + i));
      const release = s.gate();
      s.fail(2);
      const first = call(srv.url, 'POST', '/v1/reports', a); // transaction 1, held
      await settle();
      const group = [b, c, d].map((x) => call(srv.url, 'POST', '/v1/reports', x)); // queued: transaction 2 (faulty)
      await settle();
      release();
      const [r1, ...rg] = await Promise.all([first, ...group]);
      expect(r1.status).toBe(202);
      expect(r1.body.accepted).toBe(4);
      expect(rg.map((r) => r.status)).toEqual([503, 503, 503]);
      expect(rg[0].body.error).toMatch(/^store unavailable: injected fault in transaction 2/);
      expect(s.calls.slice(0, 2)).toEqual([4, 12]);
      expect(await total(srv.url)).toBe(4); // nothing of the failed group was counted
      // A later transaction is unaffected; the retries are counted once, with no duplicates.
      const later = await call(srv.url, 'POST', '/v1/reports', e);
      expect(later.body).toEqual({ accepted: 4, rejected: [] });
      const retried = await Promise.all([b, c, d].map((x) => call(srv.url, 'POST', '/v1/reports', x)));
      expect(retried.map((r) => r.body)).toEqual([0, 1, 2].map(() => ({ accepted: 4, rejected: [] })));
      expect(await total(srv.url)).toBe(20);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it.skipIf(!enabled)('the same id in two concurrent requests: counted once, the later request gets `duplicate`', async () => {
    const s = spy(make(), 'spy');
    const srv = await startCollectorServer({ spaces: SPACES, store: s.store, rateLimit: false, perAddressLimit: false });
    try {
      await call(srv.url, 'GET', '/healthz');
      const [x, y, z, w] = makeReports(4, 70);
      const release = s.gate();
      const first = call(srv.url, 'POST', '/v1/reports', [w]);
      await settle();
      const p1 = call(srv.url, 'POST', '/v1/reports', [x, y]);
      await settle(50);
      const p2 = call(srv.url, 'POST', '/v1/reports', [z, x]); // x again, while p1 waits in the same queue
      await settle();
      release();
      const [r0, r1, r2] = await Promise.all([first, p1, p2]);
      expect(r0.body.accepted).toBe(1);
      expect(r1.body).toEqual({ accepted: 2, rejected: [] });
      expect(r2.body).toEqual({ accepted: 1, rejected: [{ index: 1, error: 'duplicate' }] });
      expect(await total(srv.url)).toBe(4);
      // The colliding request went to the next transaction; the store never saw an id twice in one.
      expect(s.calls).toEqual([1, 2, 2]);
    } finally {
      await srv.close();
    }
  }, 30_000);
});

describe('group commit: any interleaving equals sequential ingestion', () => {
  it('fast-check: concurrent waves of overlapping requests give the estimates and counts of one-by-one ingestion', async () => {
    const pool = makeReports(40, 80);
    const request = fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 25 }), fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 25 }), async (reqs, waves) => {
        const [conc, seq] = await Promise.all([0, 1].map(() => startCollectorServer({ spaces: SPACES, rateLimit: false, perAddressLimit: false })));
        try {
          // Concurrent: the requests in waves of random size, each wave sent all at once.
          const got: number[] = [];
          for (let i = 0, w = 0; i < reqs.length; w++) {
            const size = waves[w % waves.length];
            const replies = await Promise.all(reqs.slice(i, i + size).map((ix) => call(conc.url, 'POST', '/v1/reports', ix.map((j) => pool[j]))));
            for (const r of replies) expect(r.status).toBe(202), got.push(r.body.accepted);
            i += size;
          }
          for (const ix of reqs) expect((await call(seq.url, 'POST', '/v1/reports', ix.map((j) => pool[j]))).status).toBe(202);
          const distinct = new Set(reqs.flat()).size;
          expect(got.reduce((a, b) => a + b, 0)).toBe(distinct);
          const [a, b] = await Promise.all([conc, seq].map((c) => call(c.url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH}`)));
          expect(a.body).toEqual(b.body); // same estimates, same rejection counts
        } finally {
          await Promise.all([conc.close(), seq.close()]);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
