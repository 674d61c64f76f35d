import type { DedupeOptions, CollectorStore } from './store';
import { createSqlStore, type SqlDriver } from './store-sql';

/**
 * The embedded default store: PGlite (WASM PostgreSQL) under `dataDir`, created on first open.
 * One process at a time may open a data directory.
 */
export function createPGliteStore(opts: { dataDir: string } & DedupeOptions): CollectorStore {
  return createSqlStore(
    'pglite',
    async (): Promise<SqlDriver> => {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(opts.dataDir);
      return {
        query: (sql, params) => db.query(sql, params),
        exec: (script) => db.exec(script),
        transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params), exec: (script) => tx.exec(script) })),
        close: () => db.close(),
      };
    },
    opts,
  );
}
