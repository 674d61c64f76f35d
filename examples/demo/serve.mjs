#!/usr/bin/env node
// `npm run demo`: the reference collector, the QA demo page and the dashboard on one 127.0.0.1 origin.
//   /            the demo page (examples/demo)          /dist/       the build
//   /dashboard/  the collector dashboard                 /v1/*        the collector (createCollector)
//   POST /qa/simulate  synthetic visitors through the real LDP mechanisms, fed to the collector
//   POST /qa/clock     QA ONLY: the demo page's time travel moves this collector's clock too
// The collector has a read token (printed at start): the dashboard link carries it in its #fragment.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const DAY = 86_400_000;
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
/** URL prefix → folder served from it (longest prefix first). */
const STATIC = [
  ['/dist/', join(ROOT, 'dist')],
  ['/dashboard/', join(ROOT, 'examples', 'collector')],
  ['/', HERE],
];

/** Reads the demo's collector config: `{ spaces, minCount }` from examples/collector/spaces.json. */
export async function loadDemoConfig() {
  return JSON.parse(await readFile(join(ROOT, 'examples', 'collector', 'spaces.json'), 'utf8'));
}

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', ...HEADERS });
  res.end(JSON.stringify(body));
};

const readBody = (req, limit = 65536) =>
  new Promise((ok, fail) => {
    let size = 0;
    const parts = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) fail(new Error('body too large')), req.destroy();
      else parts.push(c);
    });
    req.on('end', () => ok(Buffer.concat(parts).toString('utf8')));
    req.on('error', fail);
  });

async function serveStatic(req, res, path) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
  if (path === '/dashboard') return res.writeHead(301, { location: '/dashboard/' }).end();
  const [prefix, dir] = STATIC.find(([p]) => path.startsWith(p));
  let rel;
  try {
    rel = decodeURIComponent(path.slice(prefix.length));
  } catch {
    return json(res, 400, { error: 'malformed percent-encoding in the path' });
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(dir, rel));
  // Never serve the server script itself, nor anything outside the folder.
  if (!file.startsWith(dir + sep) || file === fileURLToPath(import.meta.url)) return json(res, 404, { error: 'not found' });
  try {
    const data = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...HEADERS });
    res.end(req.method === 'HEAD' ? undefined : data);
  } catch {
    json(res, 404, { error: 'not found' });
  }
}

/**
 * Why a request may not reach this demo, or undefined when it may. The demo serves 127.0.0.1 only,
 * and its QA routes change state (the collector's clock, simulated reports in the store), so:
 *   - every request must name this server in Host (`127.0.0.1:<port>`, `localhost:<port>`): a DNS
 *     rebinding page (evil.example resolving to 127.0.0.1) says Host: evil.example:<port>;
 *   - a state-changing request (`write`) must come from the demo's own origin when it says one
 *     (browsers send Origin on every POST; curl and Node send none) and carry application/json,
 *     which a page on another origin cannot send without a CORS preflight this server never answers.
 * @param {import('node:http').IncomingMessage} req
 * @param {{ hosts: Set<string>, origins: Set<string> }} own lower-case `host:port` and origins
 * @param {boolean} write
 * @returns {string | undefined}
 */
export function refusal(req, own, write) {
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!own.hosts.has(host)) return `Host ${JSON.stringify(host)} is not this demo (${[...own.hosts].join(' or ')}): DNS rebinding?`;
  if (!write) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && !own.origins.has(String(origin).toLowerCase()))
    return `Origin ${origin} is not this demo's (${[...own.origins].join(' or ')}): QA routes take requests from the demo page and the dashboard only`;
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') return `Content-Type ${type ? JSON.stringify(type) : '(none)'}: QA routes take application/json only`;
  return undefined;
}

/**
 * Splits `n` visitors over cohorts by `shares` (largest remainder, so the counts sum to n).
 * @param {number} n visitors
 * @param {number[]} shares non-negative weights, one per cohort index (fallback last)
 * @returns {number[]} counts per cohort index
 */
export function splitTruth(n, shares) {
  const total = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (s / total) * n);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0]);
  for (let left = n - counts.reduce((a, b) => a + b, 0), j = 0; left > 0; left--, j++) counts[order[j][1]]++;
  return counts;
}

/**
 * Starts the demo: collector + demo page + dashboard + QA routes on one origin.
 * @param {{ port?: number, host?: string, dataDir?: string, memory?: boolean, quiet?: boolean, readToken?: string }} [opts]
 *   port: 0 for any free port; default PORT env or 8787 (and the next 9 if busy).
 *   dataDir: PGlite store; default COHORTKIT_DATA_DIR or `<repo>/.collector-data`. memory: no store.
 *   readToken: for GET /v1/estimates and /v1/spaces; default COHORTKIT_READ_TOKEN or a random one.
 * @returns {Promise<{ url: string, port: number, readToken: string, close(): Promise<void> }>}
 */
export async function startDemo(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const wanted = opts.port ?? Number(process.env.PORT ?? 8787);
  const dataDir = opts.dataDir ?? process.env.COHORTKIT_DATA_DIR ?? join(ROOT, '.collector-data');
  const { spaces, minCount } = await loadDemoConfig();
  const readToken = opts.readToken ?? process.env.COHORTKIT_READ_TOKEN ?? randomBytes(18).toString('base64url');
  // QA ONLY (never in the library's collector): the demo page's time travel moves this clock, so a
  // visitor "+7 days" reports into an epoch the collector accepts. POST /qa/clock { offset } (ms).
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const dist = (f) => import(pathToFileURL(join(ROOT, 'dist', f)).href);
  const [serverLib, { createMechanism }, { defineExperiment }, { EXPERIMENT }] = await Promise.all([
    dist('server.js'),
    dist('ldp.js'),
    dist('index.js'),
    import('./config.js'),
  ]);
  // The page's experiment segments and the collector's experiment space come from one definition.
  const experiment = defineExperiment(EXPERIMENT);
  const declared = spaces.find((s) => s.id === experiment.space.id);
  if (JSON.stringify([declared?.cohorts, declared?.fallback]) !== JSON.stringify([experiment.space.cohorts, experiment.space.fallback]))
    throw new Error(`examples/collector/spaces.json: space ${experiment.space.id} differs from defineExperiment(EXPERIMENT).space`);
  const pageConfig = JSON.stringify({ spaces, segments: experiment.segments });
  // The segment catalog of the page's configuration (cohortkit/catalog): the dashboard groups
  // cohorts by their segment's goal. A configuration the client would refuse serves none.
  let catalogJson;
  try {
    const [{ describeCatalog }, page] = await Promise.all([dist('catalog.js'), import('./config.js')]);
    const { segments, spaces: documented } = describeCatalog({ purposes: page.PURPOSES, policyVersion: page.POLICY.version, segments: [...page.SEGMENTS, ...experiment.segments], cohorts: spaces });
    catalogJson = JSON.stringify({ segments, spaces: documented });
  } catch (e) {
    if (!opts.quiet) console.warn(`! no segment catalog for the dashboard: ${e.message}`);
  }
  /** Known truth of the simulated visitors: `${space}:${epoch}` → counts per cohort index. */
  const truth = new Map();
  let url = '';
  /** This demo's own `host:port` names and origins (set once listening). */
  const own = { hosts: new Set(), origins: new Set() };

  async function simulate(body) {
    const space = spaces.find((s) => s.id === body?.space);
    if (!space) throw new Error('space: unknown cohort space');
    const n = body.n;
    if (!Number.isInteger(n) || n < 1 || n > 100000) throw new Error('n: expected an integer in [1, 100000]');
    const k = space.cohorts.length + 1;
    const epoch = body.epoch ?? Math.floor(now() / DAY);
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error('epoch: expected a day number');
    const shares = body.truth ?? Array.from({ length: k }, (_, i) => k - i);
    if (!Array.isArray(shares) || shares.length > k || !shares.some((s) => s > 0) || shares.some((s) => !(s >= 0)))
      throw new Error(`truth: expected up to ${k} non-negative shares, not all zero`);
    const counts = splitTruth(n, Array.from({ length: k }, (_, i) => shares[i] ?? 0));
    const epsilon = body.epsilon ?? 1;
    const m = createMechanism({ k, epsilon, mechanism: body.mechanism ?? 'auto' });
    const base = { v: 1, space: space.id, spaceVersion: space.version ?? 1, epoch, k, mechanism: m.name, epsilon };
    const reports = counts.flatMap((c, i) =>
      Array.from({ length: c }, () => ({ ...base, id: randomBytes(16).toString('base64url'), ...m.perturb(i) })),
    );
    let accepted = 0;
    const rejected = [];
    for (let i = 0; i < reports.length; i += 500) {
      const r = await fetch(`${url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(reports.slice(i, i + 500)),
      });
      const out = await r.json();
      if (!r.ok) throw new Error(`collector: ${r.status} ${out.error ?? ''}`.trim());
      accepted += out.accepted ?? 0;
      rejected.push(...(out.rejected ?? []));
    }
    const key = `${space.id}:${epoch}`;
    const sum = truth.get(key) ?? new Array(k).fill(0);
    truth.set(key, sum.map((c, i) => c + counts[i]));
    const ids = [...space.cohorts.map((c) => c.id), space.fallback];
    return { space: space.id, epoch, n, k, mechanism: m.name, epsilon, accepted, rejected: rejected.slice(0, 10),
      truth: ids.map((id, i) => ({ id, count: counts[i] })), total: ids.map((id, i) => ({ id, count: sum[i] + counts[i] })) };
  }

  const server = createServer(async (req, res) => {
    const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://x');
    try {
      const why = refusal(req, own, path.startsWith('/qa/') && req.method === 'POST');
      if (why) return json(res, 403, { error: why });
      if (path.startsWith('/v1/') || path === '/healthz') return collector(req, res);
      if (path === '/demo-catalog.json') {
        if (!catalogJson) return json(res, 404, { error: 'no catalog' });
        res.writeHead(200, { 'content-type': 'application/json', ...HEADERS });
        return res.end(catalogJson);
      }
      if (path === '/demo-config.json') {
        res.writeHead(200, { 'content-type': 'application/json', ...HEADERS });
        return res.end(pageConfig);
      }
      if (path === '/qa/simulate') {
        if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
        let body;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return json(res, 400, { error: 'malformed JSON' });
        }
        try {
          return json(res, 200, await simulate(body));
        } catch (e) {
          return json(res, 400, { error: e.message });
        }
      }
      if (path === '/qa/clock') {
        if (req.method === 'POST') {
          let body;
          try {
            body = JSON.parse(await readBody(req, 1024));
          } catch {
            return json(res, 400, { error: 'malformed JSON' });
          }
          const o = body?.offset;
          if (!Number.isSafeInteger(o) || Math.abs(o) > 3650 * DAY) return json(res, 400, { error: 'offset: expected an integer number of ms within ±3650 days' });
          clockOffset = o;
        } else if (req.method !== 'GET') return json(res, 405, { error: 'GET or POST' });
        return json(res, 200, { offset: clockOffset, today: Math.floor(now() / DAY), note: 'QA only: the demo collector follows the demo page clock' });
      }
      if (path === '/qa/truth') {
        const space = spaces.find((s) => s.id === searchParams.get('space'));
        if (!space) return json(res, 404, { error: 'unknown space' });
        const epochs = [...truth.keys()].filter((k) => k.startsWith(space.id + ':')).map((k) => +k.split(':')[1]);
        const epoch = searchParams.has('epoch') ? +searchParams.get('epoch') : undefined;
        const ids = [...space.cohorts.map((c) => c.id), space.fallback];
        const counts = epoch === undefined ? undefined : truth.get(`${space.id}:${epoch}`);
        return json(res, 200, { space: space.id, epoch, epochs, truth: counts && ids.map((id, i) => ({ id, count: counts[i] })) });
      }
      return await serveStatic(req, res, path);
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: String(e?.message ?? e) });
    }
  });

  const listen = (port) =>
    new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => (server.off('error', fail), ok(server.address().port)));
    });
  let port;
  for (let i = 0; ; i++) {
    try {
      port = await listen(wanted === 0 ? 0 : wanted + i);
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || wanted === 0 || i >= 9) throw e;
    }
  }
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const origins = [url, `http://localhost:${port}`];
  // Who this demo is, for refusal(): the names a browser on this machine reaches it by.
  const hostNames = new Set([url.slice('http://'.length), `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].map((x) => x.toLowerCase()));
  own.hosts = hostNames;
  own.origins = new Set([...hostNames].map((x) => `http://${x}`));
  // perAddressLimit off: QA simulate posts up to 100,000 reports at once from 127.0.0.1 itself.
  const collectorOpts = { spaces, minCount, allowOrigins: origins, readToken, now, perAddressLimit: false, ...(opts.memory ? {} : { store: { dataDir } }) };
  const collector = serverLib.createCollector(collectorOpts);

  // Open the store now (PGlite takes seconds to start) rather than on a visitor's first report.
  const warm = await fetch(`${url}/v1/spaces`, { headers: { authorization: `Bearer ${readToken}` } }).catch((e) => e);
  if (!warm.ok && !opts.quiet) console.warn(`! collector not ready: ${warm.status ?? warm.message}`);

  return {
    url,
    port,
    dataDir,
    readToken,
    async close() {
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(() => ok()));
      await collector.close?.();
    },
  };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const demo = await startDemo();
  const u = demo.url;
  console.log(`
  cohortkit demo — everything on ${u} (collector store: ${demo.dataDir})

    Demo page     ${u}/
    Dashboard     ${u}/dashboard/#token=${demo.readToken}
    Read token    ${demo.readToken}   (GET /v1/estimates and /v1/spaces: Authorization: Bearer <token>)
    Collector     POST ${u}/v1/reports
                  GET  ${u}/v1/estimates?space=interest     GET ${u}/v1/spaces     GET ${u}/healthz
    QA            POST ${u}/qa/simulate  {"space":"interest","n":2000,"truth":[0.5,0.3,0.2]}
                  POST ${u}/qa/clock     {"offset":604800000}  (QA only: the demo page's time travel moves the collector's clock)

  Ctrl-C to stop.
`);
  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: stopping…`);
    await demo.close().catch((e) => console.error(e));
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
