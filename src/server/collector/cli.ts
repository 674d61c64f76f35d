import type { IncomingMessage, ServerResponse } from 'node:http';
import { CohortkitError } from '../../errors';
import type { CohortSpace } from '../../types';
import { createCollector, type CollectorHandler, type CollectorOptions } from './collector';
import { checkCollectorOptions, checkDatabaseUrl, checkOrigin, checkOrigins } from './collector-options';
import { checkReadToken } from './guard';

export interface StartCollectorOptions extends CollectorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serves files of `dir` under `prefix` (e.g. '/demo/'), GET/HEAD only, never outside `dir`. */
  static?: { dir: string; prefix: string };
}

export interface RunningCollector {
  url: string;
  collector: CollectorHandler;
  /** Stops listening, persists in-flight reports, closes the store. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** Serves `dir` under `prefix`; resolves false when the path is not under `prefix`. */
async function serveStatic(req: IncomingMessage, res: ServerResponse, dir: string, prefix: string): Promise<boolean> {
  const path = await import('node:path');
  const fs = await import('node:fs/promises');
  const url = (req.url ?? '/').split('?')[0];
  if (!url.startsWith(prefix)) return false;
  const fail = (status: number): true => (res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status)), true);
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
  let rel: string;
  try {
    rel = decodeURIComponent(url.slice(prefix.length)) || 'index.html';
  } catch {
    return fail(400);
  }
  if (rel.includes('\0') || rel.split(/[\\/]/).includes('..')) return fail(404);
  try {
    const root = await fs.realpath(dir);
    let file = await fs.realpath(path.resolve(root, rel));
    if (file !== root && !file.startsWith(root + path.sep)) return fail(404);
    if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'index.html');
    const data = await fs.readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(data.length),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  } catch {
    fail(404);
  }
  return true;
}

/**
 * Starts a `node:http` server with the collector (and optional static files) and resolves when it
 * listens. Closing stops listening, drains in-flight batches and closes the store.
 */
export async function startCollectorServer(opts: StartCollectorOptions): Promise<RunningCollector> {
  const { port = 0, host = '127.0.0.1', static: st, ...rest } = opts;
  // '' would listen on every interface (node's default), not on the default host.
  if (typeof host !== 'string' || !host.trim()) throw new CohortkitError('invalid-options', 'host: expected an address');
  const collector = createCollector(rest);
  const http = await import('node:http');
  const server = http.createServer({ requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    if (!st) return collector(req, res);
    serveStatic(req, res, st.dir, st.prefix).then(
      (done) => done || collector(req, res),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    collector,
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise((r) => server.close(r));
        server.closeIdleConnections();
        await collector.close();
        await stopped;
      })()),
  };
}

export interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
  databaseUrl?: string;
  memory: boolean;
  allowOrigins: string[];
  config?: string;
  /** `--read-token`, else COHORTKIT_READ_TOKEN (checked; wins over the config file's `readToken`). */
  readToken?: string;
  /** `--trust-proxy`: the client address is the last X-Forwarded-For entry. */
  trustProxy?: boolean;
  help: boolean;
}

/**
 * Parses `cohortkit-collector` arguments (env: COHORTKIT_DATA_DIR, DATABASE_URL). A flag wins over
 * the environment: `--data-dir` ignores DATABASE_URL and `--database-url` ignores COHORTKIT_DATA_DIR;
 * both flags at once is an error. Throws `invalid-options`.
 */
export function parseCollectorArgs(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  const o: CliOptions = { port: 8787, host: '127.0.0.1', allowOrigins: [], memory: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CohortkitError('invalid-options', `${flag}: expected a value`);
      return v;
    };
    /** A boolean flag: bare or `=true` is on, `=false` off; any other value is refused (never read as on). */
    const bool = (): boolean => {
      if (inline === undefined || inline === 'true') return true;
      if (inline === 'false') return false;
      throw new CohortkitError('invalid-options', `${flag}: expected no value, true or false`);
    };
    if (flag === '--port') {
      const v = value();
      // Digits only: Number('') is 0 (a random port), and hex, exponents and signs are not ports.
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new CohortkitError('invalid-options', '--port: expected 0-65535');
      o.port = Number(v);
    } else if (flag === '--host') {
      // An empty host would make node listen on every interface.
      o.host = value();
      if (!o.host.trim()) throw new CohortkitError('invalid-options', '--host: expected an address');
    } else if (flag === '--data-dir') o.dataDir = value();
    else if (flag === '--database-url') o.databaseUrl = checkDatabaseUrl(value(), '--database-url');
    else if (flag === '--allow-origin') o.allowOrigins.push(checkOrigin(value(), '--allow-origin'));
    else if (flag === '--config') o.config = value();
    else if (flag === '--memory') o.memory = bool();
    else if (flag === '--read-token') o.readToken = checkReadToken(value(), '--read-token');
    else if (flag === '--trust-proxy') o.trustProxy = bool();
    else if (flag === '--help' || flag === '-h') o.help = bool();
    else throw new CohortkitError('invalid-options', `${flag}: unknown option (try --help)`);
  }
  if (o.dataDir !== undefined && o.databaseUrl !== undefined)
    throw new CohortkitError('invalid-options', '--data-dir, --database-url: choose one store');
  if (o.readToken === undefined && env.COHORTKIT_READ_TOKEN !== undefined) o.readToken = checkReadToken(env.COHORTKIT_READ_TOKEN, 'COHORTKIT_READ_TOKEN');
  if (o.dataDir === undefined && o.databaseUrl === undefined) {
    if (env.DATABASE_URL !== undefined) o.databaseUrl = checkDatabaseUrl(env.DATABASE_URL, 'DATABASE_URL');
    else o.dataDir = env.COHORTKIT_DATA_DIR;
  }
  return o;
}

export const USAGE = `Usage: cohortkit-collector --config spaces.json [options]
  --config <file>        { "spaces": CohortSpace[], "minCount"?, "allowOrigins"?, "readToken"?, "epsilons"?,
                           "maxGroups"?, "perAddressLimit"?, "trustProxy"?, "dedupeDays"?,
                           "publish"?: "unsuppressed" | "complementary" | "all", "storeTimeoutMs"? }
  --read-token <t>       GET /v1/estimates and /v1/spaces need "Authorization: Bearer <t>" (env COHORTKIT_READ_TOKEN)
  --trust-proxy[=false]  count reports per address from X-Forwarded-For (behind your reverse proxy only)
  --port <n>             default 8787
  --host <addr>          default 127.0.0.1
  --data-dir <dir>       PGlite data directory (env COHORTKIT_DATA_DIR; default ./cohortkit-data)
  --database-url <url>   PostgreSQL instead of PGlite (env DATABASE_URL)
  --allow-origin <o>     allowed CORS origin, repeatable (default: any)
  --memory[=false]       keep statistics in memory only`;

/** Keys of the `--config` file (the collector options of the same names). */
export const CONFIG_KEYS = ['spaces', 'minCount', 'allowOrigins', 'readToken', 'epsilons', 'maxGroups', 'perAddressLimit', 'trustProxy', 'dedupeDays', 'publish', 'storeTimeoutMs'];

/** Runs the collector command: starts the server and closes it gracefully on SIGTERM/SIGINT. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<RunningCollector | undefined> {
  const a = parseCollectorArgs(argv, env);
  if (a.help) return void console.log(USAGE);
  if (!a.config) throw new CohortkitError('invalid-options', `--config: required\n${USAGE}`);
  const fs = await import('node:fs/promises');
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(await fs.readFile(a.config, 'utf8'));
  } catch (e) {
    throw new CohortkitError('invalid-options', `--config: cannot read ${a.config}: ${(e as Error).message}`, e);
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new CohortkitError('invalid-options', 'config: expected a JSON object');
  const extra = Object.keys(cfg).filter((k) => !CONFIG_KEYS.includes(k));
  if (extra.length) throw new CohortkitError('invalid-options', `config.${extra[0].slice(0, 64)}: unknown key (known: ${CONFIG_KEYS.join(', ')})`);
  const store = a.memory ? undefined : a.databaseUrl ? { databaseUrl: a.databaseUrl } : { dataDir: a.dataDir ?? 'cohortkit-data' };
  // Checked before merging: a string would spread into characters, an object would not spread.
  if (cfg.allowOrigins !== undefined) checkOrigins(cfg.allowOrigins, 'config.allowOrigins');
  const origins = [...((cfg.allowOrigins as string[] | undefined) ?? []), ...a.allowOrigins];
  const opts: CollectorOptions = {
    ...(cfg as Partial<CollectorOptions>),
    spaces: cfg.spaces as CohortSpace[],
    allowOrigins: origins.length ? origins : undefined,
    readToken: a.readToken ?? (cfg.readToken as string | undefined),
    // The flag wins over the config either way (`--trust-proxy=false` turns a config's true off).
    trustProxy: a.trustProxy ?? (cfg.trustProxy as boolean | undefined),
    store,
    log: (line) => console.log(line),
  };
  try {
    checkCollectorOptions(opts);
  } catch (e) {
    // Name the config file's key: `config.maxGroups: expected …`.
    const key = CONFIG_KEYS.find((k) => (e as Error).message.startsWith(`${k}:`) || (e as Error).message.startsWith(`${k}[`));
    if (key && cfg[key] !== undefined) throw new CohortkitError('invalid-options', `config.${(e as Error).message}`, e);
    throw e;
  }
  const running = await startCollectorServer({ port: a.port, host: a.host, ...opts });
  const where = a.memory ? 'memory' : a.databaseUrl ? 'postgres' : `pglite at ${store && 'dataDir' in store ? store.dataDir : ''}`;
  console.log(`cohortkit collector listening on ${running.url} (store: ${where})${opts.readToken ? '; reads need the read token' : '; estimates are readable by anyone who can reach it (set --read-token)'}`);
  const stop = (sig: string): void => {
    console.log(`${sig}: persisting in-flight reports, then exiting`);
    running.close().then(
      () => process.exit(0),
      (e) => (console.error(e), process.exit(1)),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const close = running.close;
  running.close = () => (process.off('SIGTERM', stop), process.off('SIGINT', stop), close());
  return running;
}
