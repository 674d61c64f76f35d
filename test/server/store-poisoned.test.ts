// @vitest-environment node
// Upgrade path for issue 10: a store poisoned by the OLD collector (its dedupe window followed
// the newest epoch stored, so one report dated 999999999 refused every honest report after it)
// recovers under the new one: honest reports of today are accepted again.
import { PGlite } from '@electric-sql/pglite';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollectorServer, type StoreOption } from '../../src/server/index';
import type { LDPReport } from '../../src/types';
import { call, EPOCH, makeReports, SPACES } from './collector-helpers';

/** The last commit whose collector had the poisonable window (issue 10). */
const OLD = '080ec7c';
const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-poison-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const POISON = 999_999_999;

/**
 * The schema the old collector wrote (migration 1), frozen here as it was, and the state it left
 * after the poison: the honest ids deleted (older than poison − 8), the poison id and row kept.
 */
const OLD_SCHEMA = [
  `create table cohortkit_migrations (version int primary key, applied_at timestamptz not null default now())`,
  `create table cohortkit_stats (
  space text not null, space_version int not null, epoch int not null, mechanism text not null,
  k int not null, epsilon double precision not null, g bigint not null,
  n bigint not null, support bigint[] not null,
  primary key (space, space_version, epoch, mechanism, k, epsilon, g))`,
  `create table cohortkit_ids (id text primary key, epoch int not null)`,
  `create index cohortkit_ids_epoch on cohortkit_ids (epoch)`,
  `insert into cohortkit_migrations (version) values (1)`,
];
async function writePoisoned(q: (sql: string, params?: unknown[]) => Promise<unknown>, poison: LDPReport): Promise<void> {
  for (const sql of OLD_SCHEMA) await q(sql);
  await q(`insert into cohortkit_stats values ('lifecycle', 1, $1, 'grr', 4, 1, 0, 40, '{10,10,10,10}')`, [EPOCH - 1]);
  await q(`insert into cohortkit_stats values ('lifecycle', 1, $1, 'grr', 4, 1, 0, 1, '{1,0,0,0}')`, [POISON]);
  await q('insert into cohortkit_ids values ($1, $2)', [poison.id, POISON]);
}

/** Honest reports of today are accepted; estimates and epochs ignore the poisoned epoch. */
async function expectRecovered(store: StoreOption, poison: LDPReport): Promise<void> {
  const c = await startCollectorServer({ spaces: SPACES, store });
  try {
    const today = makeReports(25, 902);
    expect((await call(c.url, 'POST', '/v1/reports', today)).body).toEqual({ accepted: 25, rejected: [] });
    expect((await call(c.url, 'POST', '/v1/reports', [poison, today[0]])).body.rejected).toEqual([
      { index: 0, error: 'epoch: in the future' },
      { index: 1, error: 'duplicate' },
    ]);
    const est = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    expect([est.epoch, est.n]).toEqual([EPOCH, 25]);
    const spaces = (await call(c.url, 'GET', '/v1/spaces')).body.spaces;
    expect(spaces[0].epochs).toEqual([EPOCH - 1, EPOCH]);
    // Yesterday's statistics survived the poison and the upgrade.
    expect((await call(c.url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH - 1}`)).body.n).toBe(40);
  } finally {
    await c.close();
  }
}

/** Extracts the old source tree to a temp dir whose node_modules is this repository's. */
function oldTree(): string | undefined {
  const at = join(dir, 'old');
  mkdirSync(at, { recursive: true });
  const r = spawnSync('sh', ['-c', `git -C "${ROOT}" archive ${OLD} src | tar -x -C "${at}"`], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  symlinkSync(join(ROOT, 'node_modules'), join(at, 'node_modules'));
  return at;
}

describe('a store poisoned by the old collector recovers on upgrade', () => {
  const old = oldTree();
  it.runIf(old !== undefined)(`PGlite data dir written by the old code (${OLD}): poisoned there, recovered here`, async () => {
    const dataDir = join(dir, 'by-old-code');
    const mod = await import(/* @vite-ignore */ join(old!, 'src', 'server', 'index.ts'));
    const oldSrv = await mod.startCollectorServer({ spaces: SPACES, store: { dataDir } });
    const [poison] = makeReports(1, 900, { epoch: POISON });
    try {
      expect((await call(oldSrv.url, 'POST', '/v1/reports', makeReports(10, 901, { epoch: EPOCH - 1 }))).body.accepted).toBe(10);
      expect((await call(oldSrv.url, 'POST', '/v1/reports', poison)).body.accepted).toBe(1);
      // The old code is poisoned: today's honest reports are refused.
      const refused = await call(oldSrv.url, 'POST', '/v1/reports', makeReports(3, 903));
      expect(refused.body.accepted).toBe(0);
      expect(refused.body.rejected[0].error).toBe('epoch: older than the dedupe window');
    } finally {
      await oldSrv.close();
    }
    const c = await startCollectorServer({ spaces: SPACES, store: { dataDir } });
    try {
      expect((await call(c.url, 'POST', '/v1/reports', makeReports(5, 904))).body).toEqual({ accepted: 5, rejected: [] });
      const est = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect([est.epoch, est.n]).toEqual([EPOCH, 5]);
      expect((await call(c.url, 'GET', '/v1/spaces')).body.spaces[0].epochs).toEqual([EPOCH - 1, EPOCH]);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('PGlite: the old schema and poisoned state, written as the old code left them', async () => {
    const dataDir = join(dir, 'fixture');
    const db = await PGlite.create(dataDir);
    const [poison] = makeReports(1, 905, { epoch: POISON });
    await writePoisoned((sql, params) => db.query(sql, params), poison);
    await db.close();
    await expectRecovered({ dataDir }, poison);
  }, 90_000);

  const url = process.env.DATABASE_URL;
  it.runIf(url)('PostgreSQL: the old schema and poisoned state', async () => {
    const schema = `cohortkit_poison_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.query(`create schema ${schema}`);
      await admin.query(`set search_path = ${schema}`);
      const [poison] = makeReports(1, 906, { epoch: POISON });
      await writePoisoned((sql, params) => admin.query(sql, params as unknown[]), poison);
      await expectRecovered({ databaseUrl: url!, schema }, poison);
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  }, 60_000);
});
