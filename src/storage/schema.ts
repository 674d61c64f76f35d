import type { DBSchema } from 'idb';
import type { ConsentRecord, LDPReport, Scalar } from '../types';

/** A stored signal: a rollup of events of one name with identical (minimized) props on one UTC day. */
export interface StoredSignal {
  /** `${event}|${day}|${propsKey}` */
  key: string;
  event: string;
  props: Record<string, Scalar>;
  day: number;
  count: number;
  first: number;
  last: number;
  times: number[];
  /** Every purpose this signal was stored under; withdrawing any of them deletes it. */
  purposes: string[];
  /** ms since epoch after which the signal is deleted. */
  expiresAt: number;
}

export interface StoredMembership {
  id: string;
  version: number;
  since: number;
  purposes: string[];
}

export interface OutboxEntry {
  id: string;
  report: LDPReport;
  /** Purposes this report relies on (measurement + its space's segments' purposes). */
  purposes: string[];
  attempts: number;
  nextAt: number;
  /** Set once delivered; kept until the epoch ends so exportData() can show it. */
  sentAt?: number;
}

/** One schema for every object store cohortkit uses (idb's typed DBSchema). */
export interface CohortkitDB extends DBSchema {
  ledger: { key: number; value: ConsentRecord };
  signals: { key: string; value: StoredSignal; indexes: { 'by-event': string } };
  memberships: { key: string; value: StoredMembership };
  outbox: { key: string; value: OutboxEntry };
  meta: { key: string; value: unknown };
}

export type StoreName = 'ledger' | 'signals' | 'memberships' | 'outbox' | 'meta';
export type StoreValue<S extends StoreName> = CohortkitDB[S]['value'];
export type StoreKey<S extends StoreName> = CohortkitDB[S]['key'];

/** Current schema version. Add a migration to MIGRATIONS for every bump; never edit an old one. */
export const DB_VERSION = 2;

/** The `meta` key of encryptAtRest's CryptoKeys (src/storage/encrypt.ts); the core checks it at open (src/storage/index.ts). */
export const KEYS_KEY = 'cohortkit:keys';

export const KEY_PATHS: Record<StoreName, string | undefined> = {
  ledger: 'seq',
  signals: 'key',
  memberships: 'id',
  outbox: 'id',
  meta: undefined,
};
