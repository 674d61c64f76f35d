// Validation of `options.interop` (against the declared purposes). Ships with the CMP adapters (the
// interop chunk or add-on), so a client awaits it only when `interop` is configured.
import { opt, shape, type Schema } from '../schema';
import { BOOL, fail, obj } from '../validate';

/** A GPP field as the adapter reads it (kept in step with GPP_FIELD in adapters/gpp.ts). */
const GPP_FIELD_RE = /^[a-z][a-z0-9]{1,15}\.[A-Za-z][A-Za-z0-9]{0,63}(\.\d{1,2})?$/;

export interface InteropOptions {
  tcf?: { map: Record<string, number[]>; vendorId?: number };
  consentMode?: { mirror?: boolean; read?: boolean };
  gpp?: { map: Record<string, string[]> };
}

/** `<path>`: declared purpose → a non-empty array whose items pass `ok` (undefined entries skipped). */
const purposeMap =
  (purposes: string[], ok: (x: any) => boolean, items: string): Schema =>
  (v, path) => {
    const map = obj(v, path, purposes);
    for (const p of Object.keys(map))
      if (map[p] === undefined) delete map[p];
      else if (!Array.isArray(map[p]) || !(map[p] as unknown[]).length || !(map[p] as unknown[]).every(ok)) fail(`${path}.${p}`, `expected a non-empty array of ${items}`);
    return map;
  };

/**
 * Validates `options.interop` against the declared purposes.
 * @throws CohortkitError `invalid-options`, e.g. `interop.tcf.map.ads: expected a non-empty array of TCF purpose ids (1–11)`
 */
export function validateInterop(input: unknown, purposes: string[]): InteropOptions | undefined {
  return opt(
    shape(
      {
        tcf: opt(
          shape({
            map: purposeMap(purposes, (n) => Number.isInteger(n) && n >= 1 && n <= 11, 'TCF purpose ids (1–11)'),
            vendorId: opt([(v) => Number.isInteger(v) && v >= 1 && v <= 65535, 'expected a Global Vendor List id (an integer in 1–65535)']),
          }),
        ),
        gpp: opt(shape({ map: purposeMap(purposes, (f) => typeof f == 'string' && GPP_FIELD_RE.test(f), 'GPP fields like "usnat.SaleOptOut"') })),
        // Kept as read (mirror and read may be undefined).
        consentMode: opt(shape({ mirror: opt(BOOL), read: opt(BOOL) }, 0, (_, __, o) => o)),
      },
      ['tcf', 'consentMode', 'gpp'],
    ),
  )(input, 'interop');
}
