// @vitest-environment node
// Spawns the built collector (dist/cohortkit-collector.js, PGlite store) as a real process and
// injects real faults: SIGKILL while batches are in flight, and SIGTERM (graceful shutdown).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMechanism, randomId } from '../../src/privacy/index';
import { createEstimator } from '../../src/server/index';
import type { LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';
import { call, expectSameEstimate, SPACE, SPACES, type Reply } from './collector-helpers';

const BIN = resolve(__dirname, '../../dist/cohortkit-collector.js');
const HAS_DIST = existsSync(BIN);
const EPOCH = Math.floor(Date.now() / 86_400_000);
const BATCH = 50;

const root = mkdtempSync(join(tmpdir(), 'cohortkit-proc-'));
const config = join(root, 'spaces.json');
// Thousands of reports from 127.0.0.1 within a minute: well past the default per-address limit (600).
writeFileSync(config, JSON.stringify({ spaces: SPACES, perAddressLimit: 1_000_000 }));

interface Proc {
  child: ChildProcess;
  url: string;
  /** stdout lines so far (the CLI logs one line per batch). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const children = new Set<ChildProcess>();
const agents = new Set<Agent>();

/** Rejects after `ms` unless `p` settles first. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`timeout: ${what} (${ms} ms)`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** Starts the CLI on `dataDir` (port 0) and resolves once it prints its URL and /healthz is ok. */
async function start(dataDir: string): Promise<Proc> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => (children.delete(child), r({ code, signal }))),
  );
  const url = await bounded(
    new Promise<string>((resolveUrl, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const l of parts) {
          lines.push(l);
          const m = /^cohortkit collector listening on (http:\/\/127\.0\.0\.1:\d+) \(store: pglite at /.exec(l);
          if (m) resolveUrl(m[1]);
        }
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      exited.then(({ code, signal }) => reject(new Error(`collector exited (${code ?? signal}) before listening: ${err}`)));
    }),
    30_000,
    'collector listening line',
  );
  // The store opens lazily: /healthz opens PGlite (and runs crash recovery after a kill).
  const health = await bounded(call(url, 'GET', '/healthz'), 30_000, '/healthz');
  expect(health, err).toMatchObject({ status: 200, body: { ok: true, store: 'pglite' } });
  return { child, url, lines, exited };
}

/** `n` valid GRR reports for SPACE at today's epoch: random 16-byte ids, deterministic per seed. */
function grrReports(n: number, seed: number): LDPReport[] {
  const rs = seededRandom(seed);
  const k = SPACE.cohorts.length + 1;
  const m = createMechanism({ k, epsilon: 1, mechanism: 'grr', random: rs });
  return Array.from({ length: n }, (_, i) => {
    return { v: 1, id: randomId(rs), space: SPACE.id, spaceVersion: 1, epoch: EPOCH, k, mechanism: 'grr', epsilon: 1, ...m.perturb(i % k) } as LDPReport;
  });
}

const chunks = <T>(xs: T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

function newAgent(): Agent {
  const a = new Agent({ keepAlive: true, maxSockets: 4 });
  agents.add(a);
  return a;
}

const post = (url: string, batch: LDPReport[], agent: Agent): Promise<Reply> =>
  bounded(call(url, 'POST', '/v1/reports', batch, {}, agent), 20_000, 'POST /v1/reports');

/** Re-sends `batches` sequentially; each must be fully accepted-or-duplicate. Returns the totals. */
async function resendAll(url: string, batches: LDPReport[][]): Promise<{ accepted: number; duplicate: number; dupIds: Set<string> }> {
  const agent = newAgent();
  let accepted = 0;
  let duplicate = 0;
  const dupIds = new Set<string>();
  for (const b of batches) {
    const r = await post(url, b, agent);
    expect(r.status).toBe(202);
    const dups = (r.body.rejected as Array<{ index: number; error: string }>).filter((x) => x.error === 'duplicate');
    expect(r.body.rejected.length, JSON.stringify(r.body.rejected.find((x: { error: string }) => x.error !== 'duplicate'))).toBe(dups.length);
    expect(r.body.accepted + dups.length).toBe(b.length);
    accepted += r.body.accepted;
    duplicate += dups.length;
    for (const d of dups) dupIds.add(b[d.index].id);
  }
  return { accepted, duplicate, dupIds };
}

afterEach(async () => {
  for (const a of agents) a.destroy();
  agents.clear();
  const left = [...children];
  for (const c of left) c.kill('SIGKILL');
  await Promise.all(left.map((c) => bounded(new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(0) : c.once('exit', r))), 5_000, 'child exit').catch(() => {})));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('collector CLI as a real process (PGlite)', () => {
  it.runIf(HAS_DIST)('serves /healthz, /v1/spaces and reports, logging one line per batch', async () => {
    const p = await start(mkdtempSync(join(root, 'a-')));
    const spaces = await call(p.url, 'GET', '/v1/spaces');
    expect(spaces.status).toBe(200);
    expect(spaces.body.spaces.map((s: { id: string }) => s.id)).toEqual(SPACES.map((s) => s.id));
    expect(spaces.body.spaces[0]).toMatchObject({ id: 'lifecycle', version: 1, k: 4, cohorts: ['new', 'active', 'loyal', 'other'], epochs: [] });
    const before = p.lines.filter((l) => l.includes('batch:')).length;
    expect(before).toBe(0);
    const [report] = grrReports(1, 11);
    const r = await call(p.url, 'POST', '/v1/reports', report);
    expect(r).toMatchObject({ status: 202, body: { accepted: 1, rejected: [] } });
    const again = await call(p.url, 'POST', '/v1/reports', [report]);
    expect(again.body).toEqual({ accepted: 0, rejected: [{ index: 0, error: 'duplicate' }] });
    // The log line is written before the 202 is sent, but stdout is a pipe: give it a bounded moment.
    await bounded(
      (async () => {
        while (p.lines.filter((l) => l.includes('batch:')).length < 2) await new Promise((r) => setTimeout(r, 20));
      })(),
      5_000,
      'batch log lines',
    );
    const batchLines = p.lines.filter((l) => l.includes('batch:'));
    expect(batchLines).toHaveLength(2);
    expect(batchLines[0]).toMatch(/batch: 1 received, 1 accepted, 0 rejected \(0 duplicate\)$/);
    expect(batchLines[1]).toMatch(/batch: 1 received, 0 accepted, 1 rejected \(1 duplicate\)$/);
    expect(p.lines.join('\n')).not.toContain(report.id); // counts only, never report content
    const est = await call(p.url, 'GET', '/v1/estimates?space=lifecycle');
    expect(est.body).toMatchObject({ space: 'lifecycle', epoch: EPOCH, n: 1 });
  }, 60_000);

  it.runIf(HAS_DIST)('SIGKILL during batches, restart, re-send everything: every report counted exactly once', async () => {
    const dataDir = mkdtempSync(join(root, 'b-'));
    const reports = grrReports(3000, 22);
    const batches = chunks(reports, BATCH);
    const first = await start(dataDir);
    const agent = newAgent();
    const pending = new Set<Promise<unknown>>();
    let acked = 0; // reports the first process answered 202/accepted for before it died
    let answered = 0;
    for (let i = 0; i < Math.floor(batches.length / 3); i++) {
      const p: Promise<unknown> = post(first.url, batches[i], agent)
        .then((r) => {
          expect(r.status).toBe(202);
          acked += r.body.accepted;
          answered++;
        })
        .catch(() => {}) // requests cut off by the kill
        .finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= 4) await Promise.race(pending);
    }
    expect(pending.size).toBeGreaterThan(0); // the kill lands with batches in flight
    first.child.kill('SIGKILL');
    expect(await bounded(first.exited, 10_000, 'SIGKILL exit')).toMatchObject({ signal: 'SIGKILL' });
    await bounded(Promise.allSettled([...pending]), 10_000, 'in-flight requests to fail');
    expect(answered).toBeGreaterThan(0);
    expect(acked).toBe(answered * BATCH);

    const second = await start(dataDir);
    const again = await resendAll(second.url, batches);
    // Everything acknowledged before the kill was committed; unanswered batches are all or nothing.
    expect(again.duplicate).toBeGreaterThanOrEqual(acked);
    expect(again.duplicate % BATCH).toBe(0);
    expect(again.accepted + again.duplicate).toBe(reports.length);

    const got = await call(second.url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH}`);
    expect(got.status).toBe(200);
    expect(got.body.n).toBe(3000);
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) expect(est.add(r)).toEqual({ ok: true });
    expectSameEstimate(got.body, est.estimate('lifecycle', EPOCH));
  }, 90_000);

  it.runIf(HAS_DIST)('SIGTERM: drains in-flight batches, exits 0, and keeps every acknowledged report', async () => {
    const dataDir = mkdtempSync(join(root, 'c-'));
    const reports = grrReports(1000, 33);
    const batches = chunks(reports, BATCH);
    const first = await start(dataDir);
    const agent = newAgent();
    const ackedIds = new Set<string>();
    const outcomes: string[] = [];
    const sends = batches.map((b) =>
      post(first.url, b, agent).then(
        (r) => {
          if (r.status === 202) {
            expect(r.body).toEqual({ accepted: b.length, rejected: [] });
            for (const x of b) ackedIds.add(x.id);
            outcomes.push('202');
          } else {
            expect(r.status).toBe(503); // shutting down: nothing of that request accepted
            outcomes.push('503');
          }
        },
        () => outcomes.push('error'), // connection closed before the request was read
      ),
    );
    // SIGTERM once the first batch is acknowledged, with the rest still queued or in flight.
    await bounded(
      (async () => {
        while (!ackedIds.size) await new Promise((r) => setTimeout(r, 5));
      })(),
      20_000,
      'first 202',
    );
    first.child.kill('SIGTERM');
    expect(await bounded(first.exited, 20_000, 'SIGTERM exit')).toEqual({ code: 0, signal: null });
    await bounded(Promise.all(sends), 20_000, 'all sends to settle');
    expect(outcomes).toHaveLength(batches.length);
    expect(first.lines.some((l) => l.startsWith('SIGTERM: persisting in-flight reports'))).toBe(true);
    const logged = first.lines.filter((l) => l.includes('batch:')).length;
    expect(logged).toBe(outcomes.filter((o) => o === '202').length); // every committed batch was answered

    const second = await start(dataDir);
    const again = await resendAll(second.url, batches);
    expect(again.dupIds).toEqual(ackedIds); // acknowledged ⇒ persisted; nothing else was stored
    const got = await call(second.url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH}`);
    expect(got.body.n).toBe(reports.length);
  }, 90_000);
});

describe('the built PGlite store in a script (no server keeping the process alive)', () => {
  it.runIf(HAS_DIST)('a script awaiting the store gets its answers, then exits by itself once the store is closed', async () => {
    const server = resolve(__dirname, '../../dist/server.js');
    const dataDir = mkdtempSync(join(root, 'script-'));
    const script = `import { createPGliteStore } from ${JSON.stringify(pathToFileURL(server).href)};
const s = createPGliteStore({ dataDir: ${JSON.stringify(dataDir)}, thread: true });
console.log(JSON.stringify(await s.rows('lifecycle')));
await s.close();
console.log('closed');`;
    const file = join(dataDir, '..', `${Date.now()}-script.mjs`);
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await bounded(new Promise((r) => child.once('exit', r)), 60_000, 'script exit');
    // An idle worker must not keep the process alive, nor a pending statement let it exit (code 13: unsettled top-level await).
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: '[]\nclosed' });
  }, 90_000);
});
