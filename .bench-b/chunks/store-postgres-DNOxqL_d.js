import { C as CohortkitError } from './errors-Cp7kg1GW.js';
import { c as createSqlStore } from './store-sql-CJkeJYR2.js';
import './cli-23aM4S7M.js';
import './ldp-ClVGeEjM.js';
import 'node:crypto';

/** A store on PostgreSQL (or a compatible engine: Citus, …) through `pg`; same SQL as PGlite. */
function createPostgresStore(opts) {
    const { databaseUrl, schema, max = 10 } = opts;
    if (typeof databaseUrl !== 'string' || !databaseUrl)
        throw new CohortkitError('invalid-options', 'store.databaseUrl: expected a connection string');
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
        throw new CohortkitError('invalid-options', 'store.schema: expected a lowercase SQL identifier');
    return createSqlStore('postgres', async () => {
        const pg = (await import('pg')).default;
        const pool = new pg.Pool({ connectionString: databaseUrl, max, options: schema && `-c search_path=${schema}` });
        pool.on('error', () => { }); // an idle client dropped: the next query reconnects
        try {
            if (schema)
                await pool.query(`create schema if not exists ${schema}`);
            else
                await pool.query('select 1');
        }
        catch (e) {
            await pool.end().catch(() => { });
            throw e;
        }
        // Statements with parameters are prepared once per connection (named), then only bound.
        const names = new Map();
        const q = (c, sql, params) => {
            if (!params?.length)
                return c.query(sql);
            let name = names.get(sql);
            if (!name)
                names.set(sql, (name = `cohortkit_${names.size + 1}`));
            return c.query({ name, text: sql, values: params });
        };
        return {
            query: (sql, params) => q(pool, sql, params),
            async transaction(fn) {
                const c = await pool.connect();
                try {
                    await c.query('begin');
                    const out = await fn({ query: (sql, params) => q(c, sql, params) });
                    await c.query('commit');
                    return out;
                }
                catch (e) {
                    await c.query('rollback').catch(() => { });
                    throw e;
                }
                finally {
                    c.release();
                }
            },
            // A script of inlined statements (store-sql's optimistic batch): the simple query protocol,
            // one round trip, run by the server as one implicit transaction.
            exec: async (script) => {
                const r = (await pool.query(script));
                return Array.isArray(r) ? r : [r];
            },
            close: () => pool.end(),
            oneStatementMax: 32,
        };
    }, opts);
}

export { createPostgresStore };
//# sourceMappingURL=store-postgres-DNOxqL_d.js.map
