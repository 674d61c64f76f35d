import type { IncomingMessage, ServerResponse } from 'node:http';
import { olhRange } from '../../privacy/index';
import type { CohortSpace, LDPReport } from '../../types';
import { DEFAULT_MIN_EPSILON, checkCollectorOptions, type CollectorOptions } from './collector-options';
import { clientAddress, createAddressLimiter, createTokenCheck } from './guard';
import { createGroupCommit, withTimeout } from './group-commit';
import { createStoreErrors, storeKind } from './store-errors';
import { BODY_LIMIT, createRateLimiter, mediaType, readBody, sendJson } from './http';
import { publishCohorts } from '../estimator/publish';
import { createRejectionLog, reasonOf } from './rejections';
import { estimateFromRows, type StatsRow } from '../estimator/stats';
import { dayOf, openStore, splitByWindow, type CollectorStore, type StoreOption } from './store';
import { createMemoryStore } from './store-memory';
import { createReportValidator, spaceVersion } from '../estimator/validate-report';

export type { CollectorOptions } from './collector-options';

export type CollectorHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** Stops taking requests (503), waits for in-flight batches to be persisted, closes the store. */
  close(): Promise<void>;
};

const ROUTES: Record<string, string> = { '/v1/reports': 'POST', '/v1/estimates': 'GET', '/v1/spaces': 'GET', '/healthz': 'GET' };
/** What a refused report's `error` says, by store outcome. */
export const REJECTION = {
  duplicate: 'duplicate',
  stale: 'epoch: older than the dedupe window',
  future: 'epoch: in the future',
  epsilon: 'epsilon: not accepted',
} as const;

/** `Retry-After` (seconds) of a 503 for a store failure. */
const STORE_RETRY_AFTER = '5';
/** The longest `/healthz` waits for the store. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Creates the reference collector: a `node:http` request handler, returned synchronously (the
 * store opens on the first request). Throws `invalid-options` for bad options.
 */
export function createCollector(opts: CollectorOptions): CollectorHandler {
  const o = checkCollectorOptions(opts);
  const { spaces, estimator, minCount, allowOrigins, log, now, rateLimit, dedupeDays, maxGroups, trustProxy } = o;
  const so = o.store;
  // With `epsilons`, the groups honest clients use (each ε, each mechanism, OLH's own g) are
  // reserved: no flood of other groups can crowd them out of `maxGroups`.
  const eps = o.epsilons && new Set(o.epsilons);
  const reservedGroup = eps && ((r: LDPReport) => eps.has(r.epsilon) && (r.mechanism !== 'olh' || (r as { g?: number }).g === olhRange(r.epsilon)));
  const storeMs = o.storeTimeoutMs;
  // The built-in stores bound their own waits too (PostgreSQL: connect, query, statement).
  const bound = { timeoutMs: storeMs };
  const storeOpt: StoreOption | undefined = so && !('addBatch' in so) ? { ...bound, dedupeDays, maxGroups, now, reservedGroup, ...so } : so;
  const versions = new Map<string, Map<number, CohortSpace>>();
  for (const sp of spaces) versions.set(sp.id, (versions.get(sp.id) ?? new Map()).set(spaceVersion(sp), sp));
  const validate = createReportValidator(spaces, { ...(o.epsilons ? { epsilons: o.epsilons } : { minEpsilon: DEFAULT_MIN_EPSILON, maxEpsilon: 20 }), olhRange });
  // Rows of an ε below every ε now accepted (stored by an older collector: one report at 1e-17
  // made its epoch's estimates NaN) are left out of the estimates.
  const minEps = Math.min(DEFAULT_MIN_EPSILON, ...(o.epsilons ?? []));
  // Rows no collector writes (a hand-edited or hostile store) estimateFromRows leaves out itself.
  const usable = (r: StatsRow): boolean => r.epsilon >= minEps;
  const allow = rateLimit ? createRateLimiter(rateLimit.requests, rateLimit.perMs, now) : () => true;
  const perAddress = o.perAddressLimit === false ? undefined : createAddressLimiter(o.perAddressLimit, now);
  const authorized = o.readToken === undefined ? () => true : createTokenCheck(o.readToken);
  const rejections = createRejectionLog(dedupeDays, versions.size);
  /** The collector's UTC day; a clock returning garbage falls back to the system clock. */
  const today = (): number => {
    const t = now();
    return dayOf(Number.isFinite(t) ? t : Date.now());
  };
  let store: Promise<CollectorStore> | undefined;
  let opened: CollectorStore | undefined;
  const getStore = (): Promise<CollectorStore> =>
    (store ??= (storeOpt ? openStore(storeOpt) : Promise.resolve(createMemoryStore({ dedupeDays, maxGroups, now, reservedGroup }))).then(async (s) => {
      opened = s;
      await s.init();
      return s;
    })).catch((e) => {
      store = undefined; // retried on the next request
      throw e;
    });
  // Concurrent POSTs share store transactions; each still answers only once its reports are durable.
  const group = createGroupCommit(getStore, { timeoutMs: storeMs });
  /** A read from the store, bounded like a batch. */
  const bounded = <T>(p: Promise<T>): Promise<T> => withTimeout(p, storeMs);
  const inflight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;
  // What clients are told when the store fails (the driver's message goes to stderr): store-errors.ts.
  const { unavailable, logged } = createStoreErrors(so);
  /** A 503 for a store failure: the client may retry (nothing of the request was accepted). */
  const storeDown = (res: ServerResponse, e: unknown, h: Record<string, string>, extra: Record<string, unknown> = {}) =>
    sendJson(res, 503, { ...extra, ...unavailable(e) }, { ...h, 'retry-after': STORE_RETRY_AFTER });

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
    // More reports than the address may ever send in a minute: waiting cannot help, so not a 429.
    // Nothing of it is stored; the sender splits it and resends the same reports (same ids).
    if (o.perAddressLimit !== false && items.length > o.perAddressLimit) {
      return sendJson(res, 413, { error: `batch: ${items.length} reports, more than perAddressLimit (${o.perAddressLimit}) a minute; split it` }, h);
    }
    const wait = perAddress?.take(clientAddress(req, trustProxy), Math.max(1, items.length)) ?? 0;
    if (wait > 0) return sendJson(res, 429, { error: 'rate limited: too many reports from this address' }, { ...h, 'retry-after': String(wait) });
    const day = today();
    const rejected: Array<{ index: number; error: string }> = [];
    const valid: Array<{ index: number; report: LDPReport }> = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const r = validate(item);
      if (!r.ok) rejected.push({ index, error: r.error });
      else if (seen.has(r.report.id)) rejected.push({ index, error: REJECTION.duplicate });
      else seen.add(r.report.id), valid.push({ index, report: r.report });
    });
    // The window is the collector's (a custom store may not check it); the store checks it too.
    const w = splitByWindow(valid.map((v) => v.report), day, dedupeDays);
    const why = new Map<string, string>([...w.stale.map((id) => [id, REJECTION.stale] as const), ...w.future.map((id) => [id, REJECTION.future] as const)]);
    const ok = valid.filter((v) => !why.has(v.report.id));
    if (ok.length) {
      try {
        const out = await group.add(ok.map((v) => v.report), day);
        for (const id of out.duplicateIds) why.set(id, REJECTION.duplicate);
        for (const id of out.staleIds) why.set(id, REJECTION.stale);
        for (const id of out.futureIds ?? []) why.set(id, REJECTION.future);
        for (const id of out.groupLimitIds ?? []) why.set(id, REJECTION.epsilon);
      } catch (e) {
        return storeDown(res, e, h);
      }
      logged.clear(); // the store answers again: its next failure is logged again
    }
    let accepted = 0;
    for (const { index, report } of valid) {
      const error = why.get(report.id);
      if (error) rejected.push({ index, error });
      else accepted++, estimator?.add(report);
    }
    rejected.sort((a, b) => a.index - b.index);
    let dup = 0;
    for (const { index, error } of rejected) {
      const sp = (items[index] as { space?: unknown } | null)?.space;
      rejections.add(day, typeof sp === 'string' && versions.has(sp) ? sp : '*', reasonOf(error));
      if (error === REJECTION.duplicate) dup++;
    }
    const t = now();
    log?.(`${new Date(Number.isFinite(t) ? t : Date.now()).toISOString()} batch: ${items.length} received, ${accepted} accepted, ${rejected.length} rejected (${dup} duplicate)`);
    sendJson(res, 202, { accepted, rejected }, h);
  }

  /** The newest epoch with reports that is not after tomorrow (a poisoned far-future row never wins). */
  const latestEpoch = (epochs: number[]): number | undefined => epochs.filter((e) => e <= today() + 1).at(-1);

  async function getEstimates(url: URL, res: ServerResponse, h: Record<string, string>): Promise<void> {
    const id = url.searchParams.get('space');
    const ep = url.searchParams.get('epoch');
    const ver = url.searchParams.get('version');
    if (!id) return sendJson(res, 400, { error: 'space: missing (?space=<id>)' }, h);
    const vs = versions.get(id);
    if (!vs) return sendJson(res, 404, { error: `space: unknown space "${id.slice(0, 64)}"` }, h);
    if (ver !== null && !/^[1-9]\d{0,9}$/.test(ver)) return sendJson(res, 400, { error: 'version: expected a positive integer' }, h);
    const space = ver === null ? vs.get(Math.max(...vs.keys())) : vs.get(Number(ver));
    if (!space) return sendJson(res, 404, { error: `version: space "${id}" has no version ${ver}` }, h);
    if (ep !== null && !/^\d{1,9}$/.test(ep)) return sendJson(res, 400, { error: 'epoch: expected a non-negative integer (days since 1970-01-01)' }, h);
    let epoch = ep === null ? undefined : Number(ep);
    const version = spaceVersion(space);
    let est;
    if (estimator && !storeOpt) est = estimator.estimate(id, epoch);
    else {
      const s = await getStore();
      epoch ??= latestEpoch(await bounded(s.epochs(id, version)));
      est = estimateFromRows(epoch === undefined ? [] : (await bounded(s.rows(id, epoch))).filter(usable), space, { minCount, epoch });
    }
    // Suppressed cohorts are withheld on the wire (and one more with 'complementary') unless the operator publishes everything.
    const cohorts = o.publish === 'all' ? est.cohorts : publishCohorts(est.cohorts, o.publish === 'complementary');
    sendJson(res, 200, { ...est, cohorts, version, rejected: rejections.get(est.epoch ?? today(), id) }, h);
  }

  async function getSpaces(res: ServerResponse, h: Record<string, string>): Promise<void> {
    const s = await getStore();
    const day = today();
    const out = await bounded(Promise.all(
      spaces.map(async (sp) => ({
        id: sp.id,
        version: spaceVersion(sp),
        description: sp.description,
        k: sp.cohorts.length + 1,
        cohorts: [...sp.cohorts.map((c) => c.id), sp.fallback],
        epochs: (await s.epochs(sp.id, spaceVersion(sp))).filter((e) => e <= day + 1),
      })),
    ));
    sendJson(res, 200, { spaces: out, today: day, rejected: rejections.all() }, h);
  }

  /**
   * `/healthz`: the store is opened (the first time PGlite may take seconds; PostgreSQL's
   * connection attempt is bounded by the store) and, if it can (SQL stores: `select 1`), pinged
   * within min(storeTimeoutMs, 2 s); else 503 `{ ok: false, store, error }`.
   */
  async function health(res: ServerResponse, h: Record<string, string>): Promise<void> {
    const ms = Math.min(storeMs, HEALTH_TIMEOUT_MS);
    try {
      const s = await getStore();
      const ping = (s as { ping?: () => Promise<void> }).ping;
      if (typeof ping === 'function') await withTimeout(ping.call(s), ms);
      sendJson(res, 200, { ok: true, store: s.kind }, h);
    } catch (e) {
      storeDown(res, e, h, { ok: false, store: opened?.kind ?? storeKind(so) });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector.invalid');
    } catch {
      // Not a path at all (`http://[/v1/reports`): a malformed request line, not an unknown path.
      req.resume();
      return sendJson(res, 400, { error: 'request target: malformed' });
    }
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
    // HEAD is GET without the body (RFC 9110 §9.3.2): same status, headers and auth rules; node's
    // response sends no body for a HEAD request.
    const methods = method === 'GET' ? 'GET, HEAD, OPTIONS' : `${method}, OPTIONS`;
    if (req.method === 'OPTIONS') {
      req.resume();
      return sendJson(res, 204, undefined, {
        ...h,
        'access-control-allow-methods': methods,
        'access-control-allow-headers': 'content-type, authorization',
        'access-control-max-age': '600',
      });
    }
    if (req.method !== method && !(req.method === 'HEAD' && method === 'GET')) {
      req.resume();
      return sendJson(res, 405, { error: `method: expected ${method}` }, { ...h, allow: methods });
    }
    if (!allow(req.socket)) {
      req.resume();
      return sendJson(res, 429, { error: 'rate limited: too many requests on this connection' }, { ...h, 'retry-after': '1' });
    }
    if (method === 'GET' && url.pathname !== '/healthz' && !authorized(req.headers.authorization)) {
      req.resume();
      const bearer = req.headers.authorization === undefined ? 'Bearer realm="cohortkit"' : 'Bearer realm="cohortkit", error="invalid_token"';
      return sendJson(res, 401, { error: 'authorization: expected Authorization: Bearer <read token>' }, { ...h, 'www-authenticate': bearer });
    }
    try {
      if (method === 'POST') return await postReports(req, res, h);
      if (url.pathname === '/v1/estimates') return await getEstimates(url, res, h);
      if (url.pathname === '/v1/spaces') return await getSpaces(res, h);
      return await health(res, h);
    } catch (e) {
      storeDown(res, e, h);
    }
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    if (closing) {
      req.resume();
      return sendJson(res, 503, { error: 'collector is shutting down' }, { connection: 'close', 'retry-after': STORE_RETRY_AFTER });
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
