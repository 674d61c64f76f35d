import { f as fail, l as list, w as want, I as ID } from './validate-aI8U5EBI.js';

/** Most purposes a consent space covers (k = 3^P = 729). */
const MAX_CONSENT_PURPOSES = 6;
/** State name of digit sᵢ: 0 unset, 1 granted, 2 denied. */
const CONSENT_STATES = ['unset', 'granted', 'denied'];
/**
 * Checks a purpose list for the consent space: 1 to 6 unique ids.
 * @throws CohortkitError (`code`, default `invalid-options`) naming `path`
 */
function checkConsentPurposes(purposes, path = 'purposes', code = 'invalid-options') {
    const ids = list(purposes, path, 1, code).map((p, i) => want(p, ID, `${path}[${i}]`, code));
    if (ids.length > MAX_CONSENT_PURPOSES)
        fail(path, `expected at most ${MAX_CONSENT_PURPOSES} purposes (k = 3^P)`, code);
    ids.forEach((p, i) => ids.indexOf(p) < i && fail(`${path}[${i}]`, `duplicate purpose "${p}"`, code));
    return ids;
}
/** Cohort index of a consent state: Σ sᵢ·3ⁱ over `purposes` in order. */
function consentIndex(purposes, state) {
    let index = 0;
    for (let i = purposes.length - 1; i >= 0; i--)
        index = index * 3 + CONSENT_STATES.indexOf(state[purposes[i]] ?? 'unset');
    return index;
}
/**
 * The `consent` space (version 1) for `purposes`: cohort i is the combination with index i
 * (`personalization:granted|measurement:denied`), k = 3^P; the last combination is the fallback.
 * Cohort `segment`s name no segment (the client assigns by consent state, not membership).
 * @throws CohortkitError `invalid-argument` naming the path
 */
function consentSpace(purposes) {
    const ids = checkConsentPurposes(purposes, 'purposes', 'invalid-argument');
    const names = [];
    for (let i = 0; i < 3 ** ids.length; i++)
        names.push(ids.map((p, j) => `${p}:${CONSENT_STATES[Math.floor(i / 3 ** j) % 3]}`).join('|'));
    return {
        id: 'consent',
        version: 1,
        description: `Consent states of ${ids.join(', ')}`,
        cohorts: names.slice(0, -1).map((id) => ({ id, segment: 'consent' })),
        fallback: names[names.length - 1],
    };
}
/**
 * The consent space as the client reports it (no cohort names: the client needs only k and the
 * index): `'consented'` relies on measurement like any space; `'exempt'` relies on no purpose (its
 * gate is GPC, see src/client/reporting.ts).
 * @throws CohortkitError `invalid-options` (`report.consentRates`) for more than 6 purposes
 */
function compileConsentSpace(purposes, mode) {
    if (purposes.length > MAX_CONSENT_PURPOSES)
        fail('report.consentRates', `at most ${MAX_CONSENT_PURPOSES} purposes can be reported (k = 3^P)`);
    return { id: 'consent', version: 1, description: '', k: 3 ** purposes.length, cohorts: [], fallback: '', purposes: mode === 'exempt' ? [] : ['measurement'] };
}

export { CONSENT_STATES as C, consentSpace as a, consentIndex as b, checkConsentPurposes as c, compileConsentSpace as d };
//# sourceMappingURL=consent-space-2DJOztdB.js.map
