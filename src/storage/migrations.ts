import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { CohortkitDB } from './schema';

type Migration = (
  db: IDBPDatabase<CohortkitDB>,
  tx: IDBPTransaction<CohortkitDB, StoreNames<CohortkitDB>[], 'versionchange'>,
) => void;

/**
 * Versioned migrations: MIGRATIONS[v] upgrades a database from v − 1 to v.
 * Each runs once, in order, inside the upgrade transaction. Never edit a shipped one.
 */
export const MIGRATIONS: Record<number, Migration> = {
  1(db) {
    db.createObjectStore('ledger', { keyPath: 'seq' });
    db.createObjectStore('signals', { keyPath: 'key' }).createIndex('by-event', 'event');
    db.createObjectStore('memberships', { keyPath: 'id' });
    db.createObjectStore('outbox', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
  // No store changes: the stamp's protocol did (a load claims it, its holder keeps it unclaimed).
  // A tab of the earlier protocol compares without claiming, so it must not share the database:
  // this upgrade closes its connection (it continues from memory until reloaded).
  2() {},
};
