// Collector load check, loopback only, bounded in count and time. Run after `npm run build`:
//   node bench/collector.mjs      (COHORTKIT_BENCH_DIST overrides ../dist; DATABASE_URL enables PostgreSQL)
// 1. Ingest, one report per POST, 8 keep-alive connections: PGlite and PostgreSQL vs the memory store
//    over the same HTTP path, in alternating rounds of the same run; ratios with min–max.
//    1b. The same with wrk as the load (its own process, as remote clients are), when installed.
// 2. The per-address limiter's cost (memory, batch 1).
// 3. Scale-out: 4 collector processes (the real CLI) on one PostgreSQL, batch-1 traffic spread over them.
import { request, Agent } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DIST = process.env.COHORTKIT_BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
const { startCollectorServer } = await import(join(DIST, 'server.js'));
// COHORTKIT_BENCH_BEFORE=<another dist/> adds its PGlite and PostgreSQL collectors to the same rounds (before/after, one run).
const BEFORE = process.env.COHORTKIT_BENCH_BEFORE && (await import(join(resolve(process.env.COHORTKIT_BENCH_BEFORE), 'server.js')));
const ROUNDS = Number(process.env.COHORTKIT_BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.COHORTKIT_BENCH_ROUND_MS ?? 2_000); // per store per round
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

/** Drives `urls` (round-robin per worker) for `ms` with `batch` reports a POST; returns { rps, p50, p99, failed }. */
async function drive(urls, batch, ms, xff) {
  const agents = urls.map(() => new Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  try {
    const lat = [];
    let sent = 0;
    let failed = 0;
    const t0 = performance.now();
    const worker = async (w) => {
      for (let i = w; performance.now() - t0 < ms; i++) {
        const u = i % urls.length;
        const body = JSON.stringify(Array.from({ length: batch }, report));
        const t = performance.now();
        if ((await post(urls[u], body, agents[u], xff)) !== 202) failed++;
        else sent += batch;
        lat.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    const secs = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
    return { rps: sent / secs, p50: p(0.5), p99: p(0.99), failed, requests: lat.length };
  } finally {
    for (const a of agents) a.destroy();
  }
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${median(xs).toFixed(2)}× (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;

// ---- 1. Stores vs memory, alternating rounds --------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-bench-'));
const schema = `cohortkit_bench_${process.pid}`;
const stores = { memory: undefined, pglite: { dataDir: join(dir, 'a') }, ...(process.env.DATABASE_URL && { postgres: { databaseUrl: process.env.DATABASE_URL, schema } }) };
if (BEFORE) {
  stores['pglite@before'] = { dataDir: join(dir, 'b') };
  if (process.env.DATABASE_URL) stores['postgres@before'] = { databaseUrl: process.env.DATABASE_URL, schema: `${schema}_before` };
}
const servers = {};
for (const [name, store] of Object.entries(stores)) {
  const start = name.endsWith('@before') ? BEFORE.startCollectorServer : startCollectorServer;
  servers[name] = await start({ spaces: [space], store, rateLimit: false, perAddressLimit: false });
  await drive([servers[name].url], 1, 1_000); // opens the store, warms up (JIT, prepared statements, known groups)
}
const runs = Object.fromEntries(Object.keys(stores).map((k) => [k, []]));
console.log(`collector ingest: loopback, batch 1, ${CONCURRENCY} keep-alive connections, ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per store (load average ${loadavg()[0].toFixed(1)} on this machine)`);
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? Object.keys(stores).reverse() : Object.keys(stores);
  for (const name of order) runs[name].push(await drive([servers[name].url], 1, ROUND_MS));
}
for (const [name, rs] of Object.entries(runs)) {
  const line = `${name.padEnd(15)} ${fmt(median(rs.map((x) => x.rps))).padStart(7)} reports/s (median)  p50 ${median(rs.map((x) => x.p50)).toFixed(1)} ms  p99 ${median(rs.map((x) => x.p99)).toFixed(1)} ms`;
  const ratio = name === 'memory' ? '' : `  vs memory ${range(rs.map((x, i) => x.rps / runs.memory[i].rps))}`;
  const failed = rs.reduce((n, x) => n + x.failed, 0);
  const reqs = rs.map((x) => x.requests);
  console.log(line + ratio + `  (${fmt(Math.min(...reqs))}–${fmt(Math.max(...reqs))} requests a round)` + (failed ? `  ${failed} FAILED` : ''));
}
if (!process.env.DATABASE_URL) console.log('postgres  skipped (DATABASE_URL not set)');
for (const name of Object.keys(stores)) {
  const x = await drive([servers[name].url], 50, 1_000);
  console.log(`${name.padEnd(9)} batch 50: ${fmt(x.rps).padStart(7)} reports/s  p99 ${x.p99.toFixed(1)} ms${x.failed ? `  ${x.failed} FAILED` : ''}`);
}

// ---- 1b. The same ingest, the load from wrk (Debian's package; skipped without it) ------------
// wrk is a C client in its own process: the collector's thread then serves only HTTP, as it does
// for remote browsers, where in 1 the Node client shares that thread with it.
const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
if (wrk.error) console.log('wrk     skipped (not installed: apt-get install -y wrk)');
else {
  const lua = join(dir, 'post.lua');
  writeFileSync(
    lua,
    `local epoch = ${epoch}
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local function id() local t = {} for i = 1, 22 do local r = math.random(1, 64) t[i] = chars:sub(r, r) end return table.concat(t) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
request = function()
  return wrk.format(nil, "/v1/reports", nil, string.format('[{"v":1,"id":"%s","space":"bench","spaceVersion":1,"epoch":%d,"k":8,"mechanism":"grr","epsilon":1,"value":%d}]', id(), epoch, math.random(0, 7)))
end`,
  );
  // Not spawnSync: the collectors run in this process and must go on serving meanwhile.
  const load = (url) =>
    new Promise((ok, fail) => {
      const c = spawn('wrk', ['-t1', `-c${CONCURRENCY}`, `-d${Math.max(1, Math.round(ROUND_MS / 1000))}s`, '-s', lua, url]);
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.once('error', fail);
      c.once('exit', () => {
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
        const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
        Number.isFinite(rps) ? ok({ rps, bad }) : fail(new Error(`wrk printed no rate: ${out}`));
      });
    });
  for (const srv of Object.values(servers)) await load(srv.url); // warm-up
  const w = Object.fromEntries(Object.keys(stores).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const name of r % 2 ? Object.keys(stores).reverse() : Object.keys(stores)) w[name].push(await load(servers[name].url));
  console.log(`collector ingest, the load from wrk (1 thread, ${CONCURRENCY} connections, batch 1), ${ROUNDS} alternating rounds:`);
  for (const [name, rs] of Object.entries(w)) {
    const bad = rs.reduce((n, x) => n + x.bad, 0);
    const ratio = name === 'memory' ? '' : `  vs memory ${range(rs.map((x, i) => x.rps / w.memory[i].rps))}`;
    console.log(`${name.padEnd(15)} ${fmt(median(rs.map((x) => x.rps))).padStart(7)} reports/s (median)${ratio}${bad ? `  ${bad} not 202` : ''}`);
  }
}
for (const s of Object.values(servers)) await s.close();
rmSync(dir, { recursive: true, force: true });

// ---- 2. Per-address limiter (memory, batch 1) -------------------------------------------------
const limiter = { off: [], one: [], many: [] };
const addr = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
for (let i = 0; i < ROUNDS; i++) {
  for (const [k, extra, xff] of [['off', { perAddressLimit: false }], ['one', { perAddressLimit: 1e9 }], ['many', { perAddressLimit: 1e9, trustProxy: true }, addr]]) {
    const srv = await startCollectorServer({ spaces: [space], rateLimit: false, ...extra });
    limiter[k].push((await drive([srv.url], 1, 1_000, xff)).rps);
    await srv.close();
  }
}
console.log(
  `per-address limiter (memory, batch 1): with one address ${range(limiter.one.map((x, i) => x / limiter.off[i]))}, ` +
    `a new address every request ${range(limiter.many.map((x, i) => x / limiter.off[i]))} of without`,
);

// ---- 3. Scale-out: 4 CLI processes on one PostgreSQL -------------------------------------------
if (process.env.DATABASE_URL) {
  const root = mkdtempSync(join(tmpdir(), 'cohortkit-scale-'));
  const config = join(root, 'spaces.json');
  writeFileSync(config, JSON.stringify({ spaces: [space], perAddressLimit: 1e9 }));
  const bin = resolve(DIST, 'cohortkit-collector.js');
  const start = () =>
    new Promise((ok, fail) => {
      const child = spawn(process.execPath, [bin, '--port', '0', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` } });
      let buf = '';
      const t = setTimeout(() => (child.kill('SIGKILL'), fail(new Error('collector did not start'))), 15_000);
      child.stdout.on('data', (d) => {
        buf += d;
        const m = /listening on (http:\/\/\S+)/.exec(buf);
        if (m && !child.url) (child.url = m[1]), clearTimeout(t), ok(child);
        if (buf.length > 4096) buf = buf.slice(-1024);
      });
      child.once('exit', () => clearTimeout(t));
    });
  const procs = [];
  try {
    for (let i = 0; i < 4; i++) procs.push(await start());
    const urls = procs.map((p) => p.url);
    const one = [];
    const four = [];
    for (let r = 0; r < ROUNDS; r++) {
      one.push((await drive(urls.slice(0, 1), 1, ROUND_MS)).rps);
      four.push((await drive(urls, 1, ROUND_MS)).rps);
    }
    console.log(
      `scale-out (PostgreSQL, batch 1, ${CONCURRENCY} connections): 1 process ${fmt(median(one))} reports/s, ` +
        `4 processes ${fmt(median(four))} reports/s aggregate, ${range(four.map((x, i) => x / one[i]))} of one`,
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
    rmSync(root, { recursive: true, force: true });
  }
}
if (process.env.DATABASE_URL) {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.query(`drop schema if exists ${schema}_before cascade`);
  await c.end();
}
