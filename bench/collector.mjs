// Collector load check: sustained reports/s and p99 request latency, loopback only, bounded in
// count and time. PGlite always (temp dir); PostgreSQL when DATABASE_URL is set ("skipped" otherwise).
// Run after `npm run build`: node bench/collector.mjs   (COHORTKIT_BENCH_DIST overrides ../dist/server.js)
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { startCollectorServer } = await import(process.env.COHORTKIT_BENCH_DIST ?? '../dist/server.js');
const MAX_REPORTS = 20_000; // per scenario
const MAX_MS = 8_000; // per scenario
const CONCURRENCY = 8;
const space = {
  id: 'bench',
  description: 'benchmark space',
  cohorts: Array.from({ length: 7 }, (_, i) => ({ id: `c${i}`, segment: `s${i}` })),
  fallback: 'other',
};
const epoch = Math.floor(Date.now() / 86_400_000);
const report = () => ({
  v: 1, id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
  space: 'bench', spaceVersion: 1, epoch, k: 8, mechanism: 'grr', epsilon: 1, value: crypto.getRandomValues(new Uint8Array(1))[0] & 7,
});
let seq = 0;
const post = (url, body, agent, xff) =>
  new Promise((resolve, reject) => {
    const headers = { 'content-type': 'text/plain;charset=UTF-8', ...(xff && { 'x-forwarded-for': xff(seq++) }) };
    const req = request(`${url}/v1/reports`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });

/** One row; `extra` adds collector options, `xff(i)` an X-Forwarded-For per request. Returns requests/s. */
async function scenario(label, store, batch, extra = { perAddressLimit: false }, xff, maxMs = MAX_MS) {
  const srv = await startCollectorServer({ spaces: [space], store, rateLimit: false, ...extra });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    await new Promise((ok, fail) => request(`${srv.url}/healthz`, { agent }, (r) => r.resume().on('end', ok)).on('error', fail).end()); // opens the store
    const lat = [];
    let sent = 0;
    let failed = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (sent < MAX_REPORTS && performance.now() - t0 < maxMs) {
        sent += batch;
        const body = JSON.stringify(Array.from({ length: batch }, report));
        const t = performance.now();
        if ((await post(srv.url, body, agent, xff)) !== 202) failed++;
        lat.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const secs = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(1);
    console.log(
      `${label.padEnd(10)} batch ${String(batch).padStart(2)}: ${Math.round(sent / secs).toLocaleString('en-US').padStart(7)} reports/s` +
        `  (${sent} reports, ${lat.length} requests, ${secs.toFixed(1)} s)  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms` + (failed ? `  ${failed} FAILED` : ''),
    );
    return lat.length / secs;
  } finally {
    agent.destroy();
    await srv.close();
  }
}

console.log(`collector load check: loopback, ${CONCURRENCY} keep-alive connections, ≤ ${MAX_REPORTS} reports or ${MAX_MS / 1000} s per row`);
await scenario('memory', undefined, 1);
await scenario('memory', undefined, 50);
// The per-address limiter's cost: the same memory row without it, with it (one address), and with it
// under a flood of distinct addresses (X-Forwarded-For, trustProxy): 2 s rows interleaved 5 times,
// best of each kept (on a shared machine the best run is the least disturbed one).
const limits = { perAddressLimit: 1e9 };
const rows = { off: [], one: [], many: [] };
const addr = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
for (let i = 0; i < 5; i++) {
  rows.off.push(await scenario('no limiter', undefined, 1, { perAddressLimit: false }, undefined, 2000));
  rows.one.push(await scenario('limiter 1', undefined, 1, limits, undefined, 2000));
  rows.many.push(await scenario('limiter N', undefined, 1, { ...limits, trustProxy: true }, addr, 2000));
}
const best = (xs) => Math.max(...xs);
const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(
  `per-address limiter (memory, batch 1, best of 5): ${fmt(best(rows.off))} requests/s without, ` +
    `${fmt(best(rows.one))} with one address (ratio ${(best(rows.one) / best(rows.off)).toFixed(2)}), ` +
    `${fmt(best(rows.many))} with a new address every request (ratio ${(best(rows.many) / best(rows.off)).toFixed(2)})`,
);
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-bench-'));
try {
  await scenario('pglite', { dataDir: dir }, 1);
  await scenario('pglite', { dataDir: dir }, 50);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (process.env.DATABASE_URL) {
  const schema = `cohortkit_bench_${process.pid}`;
  await scenario('postgres', { databaseUrl: process.env.DATABASE_URL, schema }, 1);
  await scenario('postgres', { databaseUrl: process.env.DATABASE_URL, schema }, 50);
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
} else console.log('postgres   skipped (DATABASE_URL not set)');
