import type { Store, WriteOp } from '../storage';
import { BOOL, obj, oneOf, want } from '../validate';
import type { ConsentRecord, ConsentSource, ConsentState } from '../types';
import { chainRecords, GENESIS, verifyLedger, type LedgerHead, type UnsignedRecord } from './ledger';
import { deriveState, isAdapterSource, isVisitorChoice, lastRecordOf, SOURCES } from './state';

export type PurgeCounts = { signals: number; memberships: number; reports: number };

export interface ConsentManagerOptions {
  store: () => Store;
  purposes: string[];
  policyVersion?: string;
  now: () => number;
  /** True when the browser sends GPC and the client respects it. */
  gpc: boolean;
  /** Cross-tab exclusive section for ledger appends. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Everything stored that relied on `purpose`: the deletes and their counts. */
  planPurge(purpose: string): Promise<{ ops: WriteOp[]; counts: PurgeCounts }>;
  /** Called after the state changed (locally or from another tab). */
  onChange(state: ConsentState): void;
}

const SOURCES_KEY = 'consent:sources';
const POLICY_KEY = 'consent:policyVersion';
const HEAD_KEY = 'consent:head';

export interface ConsentManager {
  init(): Promise<void>;
  get(): ConsentState;
  isGranted(purpose: string): boolean;
  update(choices: unknown, meta?: unknown): Promise<ConsentState>;
  history(): Promise<ConsentRecord[]>;
  verify(): Promise<boolean>;
  /** Re-read the ledger (another tab changed it). Returns true if the state changed. */
  reload(): Promise<boolean>;
  /** Forget: every purpose back to `unset` (the store was destroyed by the caller). */
  reset(): void;
}

/** Check `consent.update` arguments; reject with `invalid-argument` naming the key. */
export function validateChoices(
  purposes: string[],
  choices: unknown,
  meta: unknown,
): { choices: Record<string, boolean>; source: ConsentSource } {
  const A = 'invalid-argument';
  const out = obj(choices, 'choices', purposes, A);
  for (const k of Object.keys(out)) want(out[k], BOOL, `choices.${k}`, A);
  const m = meta === undefined ? {} : obj(meta, 'meta', ['source'], A);
  return {
    choices: out as Record<string, boolean>,
    // Every source but the last, 'policy-change', which only the client itself records.
    source: m.source === undefined ? 'api' : want(m.source, oneOf(SOURCES.slice(0, -1)), 'meta.source', A),
  };
}

/** The consent ledger and state: restore, update (with purge receipts), GPC, policy changes. */
export function createConsentManager(o: ConsentManagerOptions): ConsentManager {
  let state: ConsentState = deriveState(o.purposes, []);
  const setState = (next: ConsentState) => {
    const changed = o.purposes.some((p) => next[p] !== state[p]);
    state = next;
    return changed;
  };

  /** Append records, each withdrawal carrying its purge in the same transaction. Caller holds the lock. */
  const append = async (records: UnsignedRecord[], extra: WriteOp[] = []) => {
    const ledger = await o.store().getAll('ledger');
    // Chained onto the stored head: a ledger cut short (or a last record lost) stays detectably
    // broken, never healed by the next record reusing the missing seq.
    let last = (await headOf(ledger)) as ConsentRecord | undefined;
    for (const r of records) {
      const ops: WriteOp[] = [];
      let rec = r;
      if (!r.granted) {
        // Stop using the purpose before anything is deleted, so nothing new slips in.
        state = { ...state, [r.purpose]: r.source === 'policy-change' ? 'unset' : 'denied' };
        const plan = await o.planPurge(r.purpose);
        ops.push(...plan.ops);
        rec = { ...r, purged: plan.counts };
      }
      const [chained] = await chainRecords(last, [rec]);
      ops.push({ type: 'put', store: 'ledger', value: chained! });
      ops.push({ type: 'put', store: 'meta', key: HEAD_KEY, value: { seq: chained!.seq, hash: chained!.hash } });
      await o.store().write(ops);
      ledger.push(chained!);
      last = chained;
    }
    await o.store().write(extra);
    setState(deriveState(o.purposes, ledger));
    return ledger;
  };

  /** What the next record chains onto: the stored head (`broken` when the ledger does not end at it), else the last record. */
  const headOf = async (ledger: ConsentRecord[]) => {
    const last = ledger[ledger.length - 1];
    const head = (await o.store().get('meta', HEAD_KEY)) as LedgerHead | undefined;
    return head && (head.seq !== (last?.seq ?? 0) || head.hash !== last?.hash) ? { seq: Math.max(head.seq, last?.seq ?? 0), hash: head.hash, broken: 1 } : last;
  };

  const record = (purpose: string, granted: boolean, source: ConsentSource): UnsignedRecord => ({
    at: o.now(),
    purpose,
    granted,
    source,
    policyVersion: o.policyVersion,
  });

  const gpcRecord = (ledger: ConsentRecord[]): UnsignedRecord | undefined => {
    if (!o.gpc || !o.purposes.includes('measurement')) return undefined;
    const last = lastRecordOf(ledger, 'measurement');
    if (last && !last.granted && last.source !== 'policy-change') return undefined; // already denied
    if (last?.granted && isVisitorChoice(last.source)) return undefined; // the visitor's own choice wins
    return record('measurement', false, 'gpc');
  };

  return {
    async init() {
      await o.exclusive(async () => {
        const ledger = await o.store().getAll('ledger');
        setState(deriveState(o.purposes, ledger));
        const records: UnsignedRecord[] = [];
        const extra: WriteOp[] = [];
        const reset = () => (records.length = 0, records.push(...o.purposes.map((p) => record(p, false, 'policy-change'))));
        // A ledger that does not end at its head (records cut off or lost: a withdrawal may be
        // among them) is not believed: every purpose back to unset and purged, as a policy change.
        if ((await headOf(ledger) as { broken?: 1 } | undefined)?.broken) reset();
        if (o.policyVersion !== undefined) {
          const stored = await o.store().get('meta', POLICY_KEY);
          if (stored !== o.policyVersion) {
            if (ledger.length) reset();
            extra.push({ type: 'put', store: 'meta', key: POLICY_KEY, value: o.policyVersion });
          }
        }
        const g = gpcRecord(await append(records, extra));
        if (g) await append([g]);
      });
    },
    get: () => ({ ...state }),
    isGranted: (p) => state[p] === 'granted',
    async update(rawChoices, rawMeta) {
      const { choices, source } = validateChoices(o.purposes, rawChoices, rawMeta);
      return o.exclusive(async () => {
        const ledger = await o.store().getAll('ledger');
        const current = deriveState(o.purposes, ledger);
        setState(current);
        const records: UnsignedRecord[] = [];
        const extra: WriteOp[] = [];
        let keep = choices;
        if (isAdapterSource(source)) {
          // Adapters record only changes of their own source's value, never re-announcements.
          const seen = ((await o.store().get('meta', SOURCES_KEY)) ?? {}) as Record<string, Record<string, boolean>>;
          const mine = { ...(seen[source] ?? {}) };
          keep = {};
          for (const [p, v] of Object.entries(choices)) if (mine[p] !== v) (keep[p] = v), (mine[p] = v);
          extra.push({ type: 'put', store: 'meta', key: SOURCES_KEY, value: { ...seen, [source]: mine } });
        }
        for (const [purpose, granted] of Object.entries(keep)) {
          if (granted && purpose === 'measurement' && o.gpc && !isVisitorChoice(source)) continue; // GPC holds
          if (current[purpose] === (granted ? 'granted' : 'denied')) continue; // records only changes
          records.push(record(purpose, granted, source));
        }
        await append(records, extra);
        if (records.length) o.onChange(this.get());
        return this.get();
      });
    },
    history: () => o.store().getAll('ledger'),
    async verify() {
      const head = (await o.store().get('meta', HEAD_KEY)) as LedgerHead | undefined;
      return verifyLedger(await o.store().getAll('ledger'), head ?? { seq: 0, hash: GENESIS });
    },
    async reload() {
      const changed = setState(deriveState(o.purposes, await o.store().getAll('ledger')));
      if (changed) o.onChange(this.get());
      return changed;
    },
    reset() {
      setState(deriveState(o.purposes, []));
    },
  };
}
