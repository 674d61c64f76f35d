import type { ConsentRecord } from '../types';
import { loadSha256 } from './load-sha256';

/** prevHash of the first record. */
export const GENESIS = '0'.repeat(64);

export type UnsignedRecord = Omit<ConsentRecord, 'seq' | 'prevHash' | 'hash'>;

/** The canonical bytes a record's hash covers: every field but `hash`, in a fixed order. */
export function canonicalRecord(r: Omit<ConsentRecord, 'hash'>): string {
  return JSON.stringify([
    r.seq,
    r.at,
    r.purpose,
    r.granted,
    r.source,
    r.policyVersion ?? null,
    r.purged ? [r.purged.signals, r.purged.memberships, r.purged.reports] : null,
    r.prevHash,
  ]);
}

/**
 * Hex SHA-256: WebCrypto's, or where a page has none (plain HTTP: not a secure context) the same
 * hash in JavaScript, loaded then only (a chunk; the script tag's add-on `cohortkit-sha256.js`).
 */
export async function sha256Hex(text: string): Promise<string> {
  if (!globalThis.crypto?.subtle) return (await loadSha256()).sha256Hex(text);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Chain new records onto `last` (the ledger's last record, if any). Pure but for hashing. */
export async function chainRecords(last: ConsentRecord | undefined, records: UnsignedRecord[]): Promise<ConsentRecord[]> {
  const out: ConsentRecord[] = [];
  let prev = last;
  for (const r of records) {
    const base: Omit<ConsentRecord, 'hash'> = {
      seq: (prev?.seq ?? 0) + 1,
      at: r.at,
      purpose: r.purpose,
      granted: r.granted,
      source: r.source,
      ...(r.policyVersion !== undefined && { policyVersion: r.policyVersion }),
      ...(r.purged && { purged: r.purged }),
      prevHash: prev?.hash ?? GENESIS,
    };
    const rec = { ...base, hash: await sha256Hex(canonicalRecord(base)) };
    out.push(rec);
    prev = rec;
  }
  return out;
}

/** The ledger's head, kept beside it so that cutting records off the end is detected too. */
export interface LedgerHead {
  seq: number;
  hash: string;
}

/**
 * True when the ledger is intact: seq runs 1, 2, 3… (nothing deleted or reordered), every
 * prevHash is the previous record's hash, every hash recomputes from the record's fields,
 * and, when a head is given, the last record is that head (nothing cut off the end).
 */
export async function verifyLedger(records: ConsentRecord[], head?: LedgerHead): Promise<boolean> {
  if (head) {
    const last = records[records.length - 1];
    if ((last?.seq ?? 0) !== head.seq || (last?.hash ?? GENESIS) !== head.hash) return false;
  }
  let prevHash = GENESIS;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.seq !== i + 1 || r.prevHash !== prevHash) return false;
    const { hash, ...rest } = r;
    if ((await sha256Hex(canonicalRecord(rest))) !== hash) return false;
    prevHash = hash;
  }
  return true;
}
