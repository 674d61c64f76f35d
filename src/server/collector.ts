import type { IncomingMessage, ServerResponse } from 'node:http';
import { CohortkitError } from '../errors';
import type { CohortSpace, LDPReport } from '../types';
import type { Estimator } from './estimator';
import { BODY_LIMIT, createRateLimiter, mediaType, readBody, sendJson } from './http';
import { estimateFromRows } from './stats';
import { openStore, type CollectorStore, type StoreOption } from './store';
import { createMemoryStore } from './store-memory';
import { checkSpaces, createReportValidator, spaceVersion } from './validate-report';

export interface CollectorOptions {
  spaces: CohortSpace[];
  /** Also fed every accepted report; without `store`, estimates are read from it. */
  estimator?: Estimator;
  minCount?: number;
  /** Exact origins allowed (CORS); absent: any origin (`*`, no credentials ever). */
  allowOrigins?: string[];
  /** Absent: memory only. `{ dataDir }`: PGlite. `{ databaseUrl }`: PostgreSQL. Or a custom store. */
  store?: StoreOption;
  /** Dedupe window in epochs (days) behind the newest stored epoch; default 8. */
  dedupeDays?: number;
  /** Per connection: `{ requests, perMs }` token bucket (default 200 per 1,000 ms), or `false`. */
  rateLimit?: { requests: number; perMs: number } | false;
  /** One line per batch (no IP, no user agent, no report content). */
  log?: (line: string) => void;
  /** The clock (ms), for the rate limiter and log lines. */
  now?: () => number;
}

export type CollectorHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** Stops taking requests (503), waits for in-flight batches to be persisted, closes the store. */
  close(): Promise<void>;
};

const ROUTES: Record<string, string> = { '/v1/reports': 'POST', '/v1/estimates': 'GET', '/v1/spaces': 'GET', '/healthz': 'GET' };
const bad = (msg: string): never => {
  throw new CohortkitError('invalid-options', msg);
};

/**
 * Creates the reference collector: a `node:http` request handler, returned synchronously (the
 * store opens on the first request). Throws `invalid-options` for bad options.
 */
export function createCollector(opts: CollectorOptions): CollectorHandler {
  if (typeof opts !== 'object' || opts === null) bad('options: expected an object');
  const spaces = checkSpaces(opts.spaces);
  const { estimator, minCount, allowOrigins, log, now = Date.now, rateLimit = { requests: 200, perMs: 1000 } } = opts;
  if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity)) bad('minCount: expected a finite number ≥ 0');
  if (allowOrigins !== undefined && !(Array.isArray(allowOrigins) && allowOrigins.every((o) => typeof o === 'string'))) {
    bad('allowOrigins: expected an array of origins like "https://example.com"');
  }
  if (rateLimit && !(rateLimit.requests >= 1 && rateLimit.perMs > 0)) bad('rateLimit: expected { requests ≥ 1, perMs > 0 } or false');
  const so = opts.store;
  if (so !== undefined && (typeof so !== 'object' || so === null || !('addBatch' in so || 'dataDir' in so || 'databaseUrl' in so))) {
    bad('store: expected { dataDir } or { databaseUrl }');
  }
  const dedupeDays = opts.dedupeDays;
  const storeOpt: StoreOption | undefined = so && !('addBatch' in so) ? { dedupeDays, ...so } : so;
  const byId = new Map(spaces.map((s) => [s.id, s]));
  const validate = createReportValidator(spaces);
  const allow = rateLimit ? createRateLimiter(rateLimit.requests, rateLimit.perMs, now) : () => true;
  let store: Promise<CollectorStore> | undefined;
  let opened: CollectorStore | undefined;
  const getStore = (): Promise<CollectorStore> =>
    (store ??= (storeOpt ? openStore(storeOpt) : Promise.resolve(createMemoryStore({ dedupeDays }))).then(async (s) => {
      opened = s;
      await s.init();
      return s;
    })).catch((e) => {
      store = undefined; // retried on the next request
      throw e;
    });
  const inflight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;
  const unavailable = (e: unknown) => ({ error: `store unavailable: ${e instanceof Error ? e.message : String(e)}` });

  async function postReports(req: IncomingMessage, res: ServerResponse, h: Record<string, string>): Promise<void> {
    const type = mediaType(req.headers['content-type']);
    if (type !== 'text/plain' && type !== 'application/json') {
      req.resume();
      return sendJson(res, 415, { error: 'content-type: expected text/plain or application/json' }, h);
    }
    if (Number(req.headers['content-length']) > BODY_LIMIT) {
      req.resume();
      return sendJson(res, 413, { error: `body: larger than ${BODY_LIMIT} bytes` }, { ...h, connection: 'close' });
    }
    const body = await readBody(req);
    if (body === 'too-large') return sendJson(res, 413, { error: `body: larger than ${BODY_LIMIT} bytes` }, h);
    let input: unknown;
    try {
      input = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (e) {
      return sendJson(res, 400, { error: `malformed JSON: ${e instanceof Error ? e.message.slice(0, 200) : 'unreadable'}` }, h);
    }
    if (typeof input !== 'object' || input === null) return sendJson(res, 400, { error: 'body: expected a report object or an array of reports' }, h);
    const items = Array.isArray(input) ? input : [input];
    const rejected: Array<{ index: number; error: string }> = [];
    const ok: Array<{ index: number; report: LDPReport }> = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const r = validate(item);
      if (!r.ok) rejected.push({ index, error: r.error });
      else if (seen.has(r.report.id)) rejected.push({ index, error: 'duplicate' });
      else seen.add(r.report.id), ok.push({ index, report: r.report });
    });
    let dup = new Set<string>();
    let stale = new Set<string>();
    if (ok.length) {
      try {
        const res = await (await getStore()).addBatch(ok.map((o) => o.report));
        dup = new Set(res.duplicateIds);
        stale = new Set(res.staleIds);
      } catch (e) {
        return sendJson(res, 503, unavailable(e), h);
      }
    }
    let accepted = 0;
    for (const { index, report } of ok) {
      if (dup.has(report.id)) rejected.push({ index, error: 'duplicate' });
      else if (stale.has(report.id)) rejected.push({ index, error: 'epoch: older than the dedupe window' });
      else accepted++, estimator?.add(report);
    }
    rejected.sort((a, b) => a.index - b.index);
    log?.(`${new Date(now()).toISOString()} batch: ${items.length} received, ${accepted} accepted, ${rejected.length} rejected (${dup.size} duplicate)`);
    sendJson(res, 202, { accepted, rejected }, h);
  }

  async function getEstimates(url: URL, res: ServerResponse, h: Record<string, string>): Promise<void> {
    const id = url.searchParams.get('space');
    const ep = url.searchParams.get('epoch');
    if (!id) return sendJson(res, 400, { error: 'space: missing (?space=<id>)' }, h);
    const space = byId.get(id);
    if (!space) return sendJson(res, 404, { error: `space: unknown space "${id.slice(0, 64)}"` }, h);
    if (ep !== null && !/^\d{1,9}$/.test(ep)) return sendJson(res, 400, { error: 'epoch: expected a non-negative integer (days since 1970-01-01)' }, h);
    const epoch = ep === null ? undefined : Number(ep);
    if (estimator && !storeOpt) return sendJson(res, 200, estimator.estimate(id, epoch), h);
    const s = await getStore();
    sendJson(res, 200, estimateFromRows(await s.rows(id, epoch), space, { minCount, epoch }), h);
  }

  async function getSpaces(res: ServerResponse, h: Record<string, string>): Promise<void> {
    const s = await getStore();
    const out = await Promise.all(
      spaces.map(async (sp) => ({
        id: sp.id,
        version: spaceVersion(sp),
        description: sp.description,
        k: sp.cohorts.length + 1,
        cohorts: [...sp.cohorts.map((c) => c.id), sp.fallback],
        epochs: await s.epochs(sp.id),
      })),
    );
    sendJson(res, 200, { spaces: out }, h);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector.invalid');
    const method = ROUTES[url.pathname];
    const origin = req.headers.origin;
    const h: Record<string, string> = {};
    if (origin !== undefined) {
      if (allowOrigins && !allowOrigins.includes(origin)) {
        req.resume();
        return sendJson(res, 403, { error: 'origin: not allowed' });
      }
      h['access-control-allow-origin'] = allowOrigins ? origin : '*';
      h.vary = 'origin';
    }
    if (!method) {
      req.resume();
      return sendJson(res, 404, { error: `not found: ${url.pathname.slice(0, 100)}` }, h);
    }
    if (req.method === 'OPTIONS') {
      req.resume();
      return sendJson(res, 204, undefined, {
        ...h,
        'access-control-allow-methods': `${method}, OPTIONS`,
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
    }
    if (req.method !== method) {
      req.resume();
      return sendJson(res, 405, { error: `method: expected ${method}` }, { ...h, allow: `${method}, OPTIONS` });
    }
    if (!allow(req.socket)) {
      req.resume();
      return sendJson(res, 429, { error: 'rate limited: too many requests on this connection' }, { ...h, 'retry-after': '1' });
    }
    try {
      if (method === 'POST') return await postReports(req, res, h);
      if (url.pathname === '/v1/estimates') return await getEstimates(url, res, h);
      if (url.pathname === '/v1/spaces') return await getSpaces(res, h);
      await getStore();
      sendJson(res, 200, { ok: true, store: opened?.kind ?? 'memory' }, h);
    } catch (e) {
      sendJson(res, 503, unavailable(e), h);
    }
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    if (closing) {
      req.resume();
      return sendJson(res, 503, { error: 'collector is shutting down' }, { connection: 'close' });
    }
    const p: Promise<void> = handle(req, res)
      .catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }) as CollectorHandler;
  handler.close = () =>
    (closing ??= (async () => {
      while (inflight.size) await Promise.allSettled([...inflight]);
      const s = store && (await store.catch(() => undefined));
      await s?.close();
    })());
  return handler;
}
