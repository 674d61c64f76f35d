import { s as shape, o as opt, a as arr, u as uniqueId, r as req } from './entries-RiBf5myd.js';
import { r as read, a as oneOf, P as POSITIVE, f as fail, T as TEXT, w as want, S as SAFE_POSITIVE_INT } from './validate-aI8U5EBI.js';

/**
 * Validates `options.cohorts` (undefined → no spaces) against the compiled segment catalog.
 * Every segment must exist and must not be (effectively) sensitive.
 * @throws CohortkitError `invalid-options`, e.g. `cohorts[1].cohorts[0].segment: unknown segment "x"`
 */
function validateCohortSpaces(input, catalog) {
    const seen = new Set();
    const space = (v, p) => {
        const ids = new Set();
        const purposes = new Set(['measurement']);
        return shape({
            id: uniqueId(seen),
            version: (x, q) => want(x ?? 1, SAFE_POSITIVE_INT, q),
            description: req(TEXT),
            cohorts: arr(shape({
                id: uniqueId(ids),
                segment: (x, q) => {
                    const seg = typeof x == 'string' ? catalog.get(x) : undefined;
                    if (!seg)
                        return fail(q, `unknown segment ${JSON.stringify(x)}`);
                    if (seg.sensitive)
                        fail(q, `segment "${seg.id}" is sensitive and is never reported`);
                    for (const y of seg.effectivePurposes)
                        purposes.add(y);
                    return seg.id;
                },
            }), 1),
            fallback: uniqueId(ids),
        }, 0, (s) => ({ ...s, k: s.cohorts.length + 1, purposes: [...purposes] }))(v, p);
    };
    return input === undefined ? [] : read(() => arr(space)(input, 'cohorts'), 'cohorts');
}
const EPOCHS = ['day', 'week'];
const MECHANISMS = ['auto', 'grr', 'oue', 'olh', 'ss'];
const LOOPBACK = /^(localhost|\[::1\]|127\.\d+\.\d+\.\d+)$/;
/** The page's location, against which a relative `report.endpoint` resolves (none in Node). */
const pageBase = () => (typeof location === 'undefined' ? undefined : location.href);
/**
 * Validates `options.report`: `endpoint` an absolute `https:` URL (`http:` only on loopback:
 * 127.0.0.0/8, localhost, [::1]; a query string is allowed, credentials are not), `epsilon`
 * finite > 0 (default 1), `epoch` 'day' | 'week' (default 'day'), `mechanism` (default 'auto'),
 * `budget` finite > 0 (default, applied by the accountant: ε × number of spaces), `lifetimeBudget`
 * finite > 0 (default none: uncapped, still accounted), `consentRates`
 * 'off' | 'consented' | 'exempt' (default 'off'). With `base` (the page's location), a relative
 * endpoint ('/v1/reports') resolves against it, as createClient and describeCatalog do.
 * @throws CohortkitError `invalid-options`, e.g. `report.endpoint: expected https: (or http: on loopback)`
 */
function validateReportOptions(input, base) {
    return shape({
        endpoint: (endpoint, path) => {
            let url;
            try {
                if (typeof endpoint == 'string')
                    url = new URL(endpoint, base);
            }
            catch {
                /* not absolute */
            }
            if (!url)
                return fail(path, 'expected an absolute URL');
            if (url.protocol != 'https:' && !(url.protocol == 'http:' && LOOPBACK.test(url.hostname)))
                fail(path, 'expected https: (or http: on loopback)');
            if (url.username || url.password)
                fail(path, 'must not contain credentials');
            return base ? url.href : endpoint;
        },
        epsilon: opt(POSITIVE, 1),
        epoch: opt(oneOf(EPOCHS), 'day'),
        mechanism: opt(oneOf(MECHANISMS), 'auto'),
        budget: opt(POSITIVE),
        lifetimeBudget: opt(POSITIVE),
        // 'off' (the default) leaves the key out.
        consentRates: (v, p) => ((v = opt(oneOf(['off', 'consented', 'exempt']))(v, p)) == 'off' ? undefined : v),
    })(input, 'report');
}

export { validateReportOptions as a, pageBase as p, validateCohortSpaces as v };
//# sourceMappingURL=validate-BjJW4X_x.js.map
