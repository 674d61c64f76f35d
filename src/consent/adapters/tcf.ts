// IAB TCF v2.2 / v2.3 adapter: translates the CMP's TCData into plain cohortkit choices.
import { CohortkitError } from '../../errors';
import { listenToCMP } from './listen';

/** Options of {@link connectTCF}. */
export interface TCFAdapterOptions {
  /** A window-like object carrying the CMP's `__tcfapi` function. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  win: any;
  /** cohortkit purpose -> TCF purpose ids; the purpose is granted only when every id has consent. */
  map: Record<string, number[]>;
  /**
   * TCF v2.3: the site's vendor id in the Global Vendor List. With it, a purpose is granted only
   * when the vendor is also disclosed (disclosedVendors segment) and has vendor consent.
   */
  vendorId?: number;
  /** Receives the mapped choices each time the CMP announces its state (page load, user action). */
  onChoices: (choices: Record<string, boolean>) => void;
  /** Receives faults (no CMP, CMP failure, a throwing `onChoices`); never thrown into the page. */
  onError?: (e: unknown) => void;
}

interface TCDataLike {
  gdprApplies?: boolean;
  eventStatus?: string;
  listenerId?: number;
  tcString?: string;
  purpose?: { consents?: Record<string, boolean> };
  vendor?: { consents?: Record<string, boolean>; disclosedVendors?: Record<string, boolean> };
}

/**
 * True when the TC string carries a disclosedVendors segment: a segment after the core one whose
 * 3-bit type is 1, i.e. whose first base64url character is one of I–P.
 */
export const hasDisclosedSegment = (tcString: string): boolean => tcString.split('.').slice(1).some((seg) => /^[I-P]/.test(seg));

/**
 * Maps one TCData object to cohortkit choices, or `undefined` when it carries none:
 * GDPR does not apply, or the event is not `tcloaded` / `useractioncomplete`.
 * Legitimate interest never counts as consent; purposes with an empty id list are skipped.
 * With `vendorId` (TCF v2.3) every purpose also needs the vendor disclosed — in
 * `vendor.disclosedVendors`, and the TC string (when given) must carry a disclosedVendors segment —
 * and the vendor's consent; without them every mapped purpose is denied.
 */
export function mapTCData(tc: TCDataLike, map: Record<string, number[]>, vendorId?: number): Record<string, boolean> | undefined {
  if (!tc || tc.gdprApplies !== true) return;
  if (tc.eventStatus !== 'tcloaded' && tc.eventStatus !== 'useractioncomplete') return;
  const consents = (tc.purpose && tc.purpose.consents) || {};
  const v = tc.vendor || {};
  const vendorOk =
    vendorId === undefined ||
    ((v.disclosedVendors || {})[vendorId] === true &&
      (v.consents || {})[vendorId] === true &&
      (typeof tc.tcString !== 'string' || hasDisclosedSegment(tc.tcString)));
  const out: Record<string, boolean> = {};
  for (const p of Object.keys(map)) if (map[p].length) out[p] = vendorOk && map[p].every((id) => consents[id] === true);
  return out;
}

/**
 * Listens to a TCF v2.2 / v2.3 CMP (`__tcfapi('addEventListener', 2, …)`) and emits the mapped
 * cohortkit choices on `tcloaded` and `useractioncomplete`. Returns `disconnect`, which
 * removes the listener (also when the CMP answers only later). Never throws.
 */
export function connectTCF(opts: TCFAdapterOptions): () => void {
  return listenToCMP<TCDataLike>({
    win: opts.win,
    name: '__tcfapi',
    missing: 'interop.tcf: window.__tcfapi is missing (no TCF v2 CMP or stub on this page)',
    add: (api, listener) => api('addEventListener', 2, listener),
    remove: (api, id) => api('removeEventListener', 2, () => {}, id),
    onError: opts.onError,
    onEvent(tc, success) {
      if (!success || !tc) throw new CohortkitError('invalid-options', 'interop.tcf: the CMP answered addEventListener with success=false');
      const choices = mapTCData(tc, opts.map, opts.vendorId);
      if (choices) opts.onChoices(choices);
    },
  });
}
