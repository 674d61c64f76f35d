import { C as CohortkitError } from './chunks/errors-Cp7kg1GW.js';
import { a as checkSpaces, b as createReportValidator, i as isReportId, m as mergeRow, e as estimateFromRows, d as addToRows, s as spaceVersion } from './chunks/cli-23aM4S7M.js';
export { f as createCollector, g as createMemoryStore, o as openStore, p as parseCollectorArgs, h as rowKey, r as runCli, j as startCollectorServer } from './chunks/cli-23aM4S7M.js';
export { I as INSERT_IDS_SQL, M as MIGRATIONS, S as SELECT_ROWS_SQL, U as UPSERT_STATS_SQL, c as createSqlStore, m as migrate } from './chunks/store-sql-CJkeJYR2.js';
export { createPGliteStore } from './chunks/store-pglite-BdRlXMVi.js';
export { createPostgresStore } from './chunks/store-postgres-DNOxqL_d.js';
import { r as readCounts, s as shareOf } from './chunks/audit-KLGZ8Vqc.js';
export { d as defineAudit, a as defineExperiment, p as planExperiment, b as readAudit, c as readLift } from './chunks/audit-KLGZ8Vqc.js';
import { c as checkConsentPurposes, C as CONSENT_STATES } from './chunks/consent-space-2DJOztdB.js';
export { a as consentSpace } from './chunks/consent-space-2DJOztdB.js';
import { f as fail } from './chunks/validate-aI8U5EBI.js';
import './chunks/ldp-ClVGeEjM.js';
import 'node:crypto';
import 'node:os';
import 'node:worker_threads';

const isInt = (x, min) => Number.isSafeInteger(x) && x >= min;
/**
 * Creates a pure, mergeable estimator for LDP cohort reports (any JS runtime). Throws
 * `invalid-options` for bad options, naming the path.
 */
function createEstimator(opts) {
    const badOpt = (msg) => {
        throw new CohortkitError('invalid-options', msg);
    };
    if (typeof opts !== 'object' || opts === null)
        badOpt('options: expected an object');
    const { minCount, dedupeWindow = 1_000_000 } = opts;
    const spaces = checkSpaces(opts.spaces);
    if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity)) {
        badOpt('minCount: expected a finite number ≥ 0');
    }
    if (!isInt(dedupeWindow, 0))
        badOpt('dedupeWindow: expected an integer ≥ 0');
    const byId = new Map(spaces.map((s) => [s.id, s]));
    const validate = createReportValidator(spaces);
    const rows = new Map();
    const ids = new Set();
    // Set keeps insertion order: the first value is the oldest id. A re-added id moves to the end.
    const remember = (id, seen) => {
        if (dedupeWindow === 0)
            return;
        if (seen)
            ids.delete(id);
        ids.add(id);
        if (ids.size > dedupeWindow)
            ids.delete(ids.values().next().value);
    };
    const badArg = (msg) => {
        throw new CohortkitError('invalid-argument', msg);
    };
    const checkRow = (r, p) => {
        const row = r;
        if (typeof r !== 'object' || r === null)
            badArg(`${p}: expected an object`);
        const s = byId.get(row.space);
        if (!s || row.spaceVersion !== spaceVersion(s) || row.k !== s.cohorts.length + 1)
            badArg(`${p}: unknown space, version or k`);
        if (!isInt(row.epoch, 0))
            badArg(`${p}.epoch: expected a non-negative integer`);
        if (!['grr', 'oue', 'olh', 'ss'].includes(row.mechanism))
            badArg(`${p}.mechanism: expected grr, oue, olh or ss`);
        if (typeof row.epsilon !== 'number' || !(row.epsilon > 0) || row.epsilon === Infinity)
            badArg(`${p}.epsilon: expected a finite number > 0`);
        const olh = row.mechanism === 'olh';
        if (olh ? !isInt(row.g, 2) || row.g > 4294967296 : row.g !== 0)
            badArg(`${p}.g: expected ${olh ? 'an integer in [2, 2^32]' : '0'}`);
        if (!isInt(row.n, 0))
            badArg(`${p}.n: expected a non-negative integer`);
        if (!Array.isArray(row.support) || row.support.length !== row.k || !row.support.every((c) => isInt(c, 0) && c <= row.n)) {
            badArg(`${p}.support: expected k integers in [0, n]`);
        }
        if (Object.keys(row).length !== 9)
            badArg(`${p}: unexpected fields`);
        return row;
    };
    return {
        add(report) {
            const res = validate(report);
            if (!res.ok)
                return res;
            const { id } = res.report;
            if (ids.has(id))
                return { ok: false, error: 'duplicate' };
            remember(id, false);
            addToRows(rows, res.report);
            return { ok: true };
        },
        estimate(space, epoch) {
            const s = typeof space === 'string' ? byId.get(space) : undefined;
            if (!s)
                return badArg('space: unknown space');
            if (epoch !== undefined && !isInt(epoch, 0))
                badArg('epoch: expected a non-negative integer');
            return estimateFromRows(rows.values(), s, { minCount, epoch });
        },
        snapshot() {
            return { v: 1, rows: [...rows.values()].map((r) => ({ ...r, support: r.support.slice() })), ids: [...ids] };
        },
        merge(snapshot) {
            const snap = snapshot;
            if (typeof snap !== 'object' || snap === null || snap.v !== 1)
                badArg('snapshot: expected { v: 1, rows, ids }');
            if (!Array.isArray(snap.rows))
                badArg('snapshot.rows: expected an array');
            if (!Array.isArray(snap.ids) || !snap.ids.every(isReportId))
                badArg('snapshot.ids: expected an array of report ids');
            const checked = snap.rows.map((r, i) => checkRow(r, `snapshot.rows[${i}]`));
            for (const r of checked)
                mergeRow(rows, r);
            for (const id of snap.ids)
                remember(id, ids.has(id));
        },
    };
}

// Consent rates: granted / denied / unset shares per purpose, from the `consent` space's estimate.
/**
 * Per purpose, the share of reporters whose state is granted, denied or unset, each with a 95%
 * interval: the sum of the cohorts holding that state over the sum of all cohorts, its variance
 * by the delta method over the cohort covariance (LDP noise and the sampling of reporters).
 * With no estimated reporters every rate is NaN and ci95 [0, 1].
 * @param estimate `estimator.estimate('consent')` or a GET /v1/estimates body with nothing withheld
 * @param purposes the purposes of `consentSpace(purposes)`, in the same order
 * @throws CohortkitError `invalid-argument` naming the path
 */
function readConsentRates(estimate, purposes) {
    const ids = checkConsentPurposes(purposes, 'purposes', 'invalid-argument');
    const k = 3 ** ids.length;
    const c = readCounts(estimate);
    if (c.ids.length !== k)
        fail('estimate.cohorts', `expected ${k} cohorts (3^${ids.length}), got ${c.ids.length}`, 'invalid-argument');
    if (c.withheld.length)
        fail(`estimate.cohorts[${c.withheld[0]}].estimate`, 'withheld by the collector: read the estimator, or publish: "all"', 'invalid-argument');
    const all = c.ids.map((_, i) => i);
    const out = {};
    ids.forEach((p, j) => {
        const entry = {};
        CONSENT_STATES.forEach((state, s) => {
            const { rate, stderr, ci95 } = shareOf(c, all.filter((i) => Math.floor(i / 3 ** j) % 3 === s), all);
            entry[state] = { rate, stderr, ci95 };
        });
        out[p] = entry;
    });
    return out;
}

export { addToRows, createEstimator, createReportValidator, estimateFromRows, mergeRow, readConsentRates };
//# sourceMappingURL=server.js.map
