// Validation of `options.interop` (against the declared purposes). Ships with the CMP adapters (the
// interop chunk or add-on), so a client awaits it only when `interop` is configured.
import { BOOL, check, fail, obj, want } from '../validate';

/** A GPP field as the adapter reads it (kept in step with GPP_FIELD in adapters/gpp.ts). */
const GPP_FIELD_RE = /^[a-z][a-z0-9]{1,15}\.[A-Za-z][A-Za-z0-9]{0,63}(\.\d{1,2})?$/;

export interface InteropOptions {
  tcf?: { map: Record<string, number[]>; vendorId?: number };
  consentMode?: { mirror?: boolean; read?: boolean };
  gpp?: { map: Record<string, string[]> };
}

/** `<path>`: declared purpose → a non-empty array whose items pass `ok` (undefined entries skipped). */
function purposeMap<T>(v: unknown, path: string, purposes: string[], ok: (x: any) => boolean, items: string): Record<string, T[]> {
  const map = obj(v, path, purposes);
  const m: Record<string, T[]> = {};
  for (const p in map) {
    const xs = map[p];
    if (xs === undefined) continue;
    if (!Array.isArray(xs) || !xs.length || !xs.every(ok)) fail(`${path}.${p}`, `expected a non-empty array of ${items}`);
    m[p] = xs as T[];
  }
  return m;
}

/**
 * Validates `options.interop` against the declared purposes.
 * @throws CohortkitError `invalid-options`, e.g. `interop.tcf.map.ads: expected a non-empty array of TCF purpose ids (1–11)`
 */
export function validateInterop(input: unknown, purposes: string[]): InteropOptions | undefined {
  if (input === undefined) return;
  const o = obj(input, 'interop', ['tcf', 'consentMode', 'gpp']);
  const out: InteropOptions = {};
  if (o.tcf !== undefined) {
    const t = obj(o.tcf, 'interop.tcf', ['map', 'vendorId']);
    out.tcf = { map: purposeMap(t.map, 'interop.tcf.map', purposes, (n: any) => Number.isInteger(n) && n >= 1 && n <= 11, 'TCF purpose ids (1–11)') };
    if (t.vendorId !== undefined)
      out.tcf.vendorId = want(t.vendorId, [(v) => Number.isInteger(v) && v >= 1 && v <= 65535, 'expected a Global Vendor List id (an integer in 1–65535)'], 'interop.tcf.vendorId');
  }
  if (o.gpp !== undefined)
    out.gpp = { map: purposeMap(obj(o.gpp, 'interop.gpp', ['map']).map, 'interop.gpp.map', purposes, (f) => typeof f == 'string' && GPP_FIELD_RE.test(f), 'GPP fields like "usnat.SaleOptOut"') };
  if (o.consentMode !== undefined) {
    const c = (out.consentMode = obj(o.consentMode, 'interop.consentMode', ['mirror', 'read']));
    check(c, 'interop.consentMode', { mirror: BOOL, read: BOOL });
  }
  return out;
}
