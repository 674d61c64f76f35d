// @vitest-environment node
// Simulated scale on loopback: 4 collector processes (the built CLI, dist/cohortkit-collector.js)
// on one PostgreSQL (DATABASE_URL), batch-1 traffic spread over them, with replays sent to another
// process. Each process then publishes the estimates of one estimator fed every distinct report.
// Throughput is measured in bench/collector.mjs (scale-out row), never asserted here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createMechanism, randomId } from '../../src/privacy/index';
import { createEstimator } from '../../src/server/index';
import type { LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';
import { call, EPOCH, expectSameEstimate, SPACE, SPACES } from './collector-helpers';

const BIN = resolve(__dirname, '../../dist/cohortkit-collector.js');
const url = process.env.DATABASE_URL;
const enabled = !!url && existsSync(BIN);
if (!enabled) console.warn('collector-scale: skipped (needs DATABASE_URL and npm run build)');
const schema = `cohortkit_scale_${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'cohortkit-scale-'));
const config = join(root, 'spaces.json');
// All traffic comes from 127.0.0.1: the per-address limit is set far above it.
writeFileSync(config, JSON.stringify({ spaces: SPACES, perAddressLimit: 1_000_000 }));
const children = new Set<ChildProcess>();
const agents: Agent[] = [];

afterAll(async () => {
  for (const a of agents) a.destroy();
  await Promise.all(
    [...children].map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'), setTimeout(() => (c.kill('SIGKILL'), r(undefined)), 10_000)))),
  );
  rmSync(root, { recursive: true, force: true });
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
});

/** Starts one CLI process on PostgreSQL (tables in `schema`); resolves with its URL once /healthz is ok. */
function start(): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--host', '127.0.0.1', '--database-url', url!, '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let out = '';
    let err = '';
    const t = setTimeout(() => fail(new Error(`collector did not start in 30 s: ${err}`)), 30_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      if (out === null) return;
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+) \(store: postgres\)/.exec(out);
      if (m) {
        clearTimeout(t);
        out = null as never; // later lines (one per batch) are drained, not kept
        call(m[1], 'GET', '/healthz').then((h) => (h.status === 200 ? ok(m[1]) : fail(new Error(JSON.stringify(h.body)))), fail);
      }
    });
    child.once('exit', (code) => fail(new Error(`collector exited (${code}) before listening: ${err}`)));
  });
}

describe.skipIf(!enabled)('4 collector processes on one PostgreSQL', () => {
  it('batch-1 traffic over 4 processes (with cross-process replays): every process publishes the estimates of one estimator fed everything', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const urls = await Promise.all([0, 1, 2, 3].map(() => start()));
    const rs = seededRandom(91);
    const k = SPACE.cohorts.length + 1;
    const m = createMechanism({ k, epsilon: 1, mechanism: 'grr', random: rs });
    const reports = Array.from({ length: 800 }, (_, i) => ({ v: 1, id: randomId(rs), space: SPACE.id, spaceVersion: 1, epoch: EPOCH, k, mechanism: 'grr', epsilon: 1, ...m.perturb(i % k) }) as LDPReport);
    const est = createEstimator({ spaces: SPACES });
    for (const r of reports) est.add(r);
    for (let i = 0; i < 4; i++) agents.push(new Agent({ keepAlive: true, maxSockets: 2 }));
    // 8 connections (2 per process); report i goes to process i mod 4, and every 10th is replayed
    // at once to the next process (a client retry landing elsewhere): counted once overall.
    const sends: Array<Promise<{ status: number; accepted: number; dup: number }>> = [];
    const send = (p: number, r: LDPReport) =>
      sends.push(call(urls[p], 'POST', '/v1/reports', r, {}, agents[p]).then((x) => ({ status: x.status, accepted: x.body.accepted, dup: x.body.rejected?.length ?? 0 })));
    reports.forEach((r, i) => {
      send(i % 4, r);
      if (i % 10 === 0) send((i + 1) % 4, r);
    });
    const replies = await Promise.all(sends);
    expect(replies.filter((x) => x.status !== 202)).toEqual([]);
    expect(replies.reduce((n, x) => n + x.accepted, 0)).toBe(800);
    expect(replies.reduce((n, x) => n + x.dup, 0)).toBe(80);
    for (const u of urls) expectSameEstimate((await call(u, 'GET', '/v1/estimates?space=lifecycle')).body, est.estimate('lifecycle'));
  }, 90_000);
});
