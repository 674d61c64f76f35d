import { CohortkitError } from '../../errors';
import type { CollectorStore, DedupeOptions } from './store';
import { createSqlStore, type SqlDriver } from './store-sql';
import { checkDatabaseUrl } from './collector-options';

export interface PostgresStoreOptions extends DedupeOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /** Schema for the tables (created if missing); default: the role's search_path. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /**
   * The longest wait (ms) for a connection, a query's answer (client side: a host that stops
   * answering) and a statement (server side: `statement_timeout`); default 10,000. A connection
   * that timed out is discarded, never reused. The collector passes its `storeTimeoutMs`.
   */
  timeoutMs?: number;
}

/** An error of the connection, not one the server sent (pg's DatabaseError has a severity): `Query read timeout`, ECONNRESET, … */
const isConnectionFault = (e: unknown): boolean => typeof (e as { severity?: unknown } | null)?.severity !== 'string';

/** A store on PostgreSQL (or a compatible engine: Citus, …) through `pg`; same SQL as PGlite. */
export function createPostgresStore(opts: PostgresStoreOptions): CollectorStore {
  const { databaseUrl, schema, max = 10, timeoutMs = 10_000 } = opts;
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1)) throw new CohortkitError('invalid-options', 'store.timeoutMs: expected an integer ≥ 1 (ms)');
  checkDatabaseUrl(databaseUrl, 'store.databaseUrl');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new CohortkitError('invalid-options', 'store.schema: expected a lowercase SQL identifier');
  return createSqlStore(
    'postgres',
    async (): Promise<SqlDriver> => {
      const pg = (await import('pg')).default;
      const pool = new pg.Pool({
        connectionString: databaseUrl,
        max,
        options: schema && `-c search_path=${schema}`,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        statement_timeout: timeoutMs,
      });
      pool.on('error', () => {}); // an idle client dropped: the next query reconnects
      try {
        if (schema) await pool.query(`create schema if not exists ${schema}`);
        else await pool.query('select 1');
      } catch (e) {
        await pool.end().catch(() => {});
        throw e;
      }
      // Statements with parameters are prepared once per connection (named), then only bound.
      const names = new Map<string, string>();
      const q = (c: { query(...a: any[]): Promise<{ rows: any[] }> }, sql: string, params?: unknown[]) => {
        if (!params?.length) return c.query(sql);
        let name = names.get(sql);
        if (!name) names.set(sql, (name = `cohortkit_${names.size + 1}`));
        return c.query({ name, text: sql, values: params });
      };
      return {
        query: (sql, params) => q(pool, sql, params),
        async transaction(fn) {
          const c = await pool.connect();
          // A connection whose query timed out (or that broke) is discarded, not rolled back: a
          // rollback would wait as long again, and the server rolls back a closed session.
          let broken = false;
          try {
            await c.query('begin');
            const out = await fn({ query: (sql, params) => q(c, sql, params) });
            await c.query('commit');
            return out;
          } catch (e) {
            if (isConnectionFault(e)) broken = true;
            else await c.query('rollback').catch(() => (broken = true));
            throw e;
          } finally {
            c.release(broken || undefined);
          }
        },
        // A script of inlined statements (store-sql's optimistic batch): the simple query protocol,
        // one round trip, run by the server as one implicit transaction.
        exec: async (script) => {
          const r = (await pool.query(script)) as unknown as { rows: any[] } | { rows: any[] }[];
          return Array.isArray(r) ? r : [r];
        },
        close: () => pool.end(),
        oneStatementMax: 32,
      };
    },
    opts,
  );
}
