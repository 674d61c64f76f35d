import { C as CohortkitError } from './errors-Cp7kg1GW.js';
import { P as PREFIX } from './index-DTcVH_tq.js';
export { V as version } from './version-CqUn23qH.js';
import './entries-RiBf5myd.js';
import './validate-aI8U5EBI.js';
import 'idb';
import './audit-KLGZ8Vqc.js';
import './ldp-ClVGeEjM.js';
import './consent-space-2DJOztdB.js';

// declare() of the declared interests, which lives in an add-on (a chunk of the ESM build,
// dist/cohortkit-interests.js for the script tag) loaded on the first declare(): a page whose
// visitor never declares never fetches it. Reading, sweeping and purging stay in the core
// (interests.ts), so what is stored is exported, withdrawn and forgotten whatever was loaded.
/** `ids` of `declare(ids)`: an array of declared interest ids (deduplicated), else `invalid-argument` naming it. */
function validateIds(ids, known) {
    const bad = (what) => {
        throw new CohortkitError('invalid-argument', what);
    };
    let copy = [];
    try {
        copy = Array.isArray(ids) ? Array.from(ids) : bad('ids: expected an array of interest ids');
    }
    catch (e) {
        if (e instanceof CohortkitError)
            throw e;
        bad('ids: could not be read');
    }
    copy.forEach((id, i) => {
        if (typeof id != 'string' || !known.has(id))
            bad(`ids[${i}]: unknown interest ${typeof id == 'string' ? JSON.stringify(id.slice(0, 64)) : typeof id} (not in options.interests)`);
    });
    return [...new Set(copy)];
}
/**
 * Replace the declared set, all or nothing: unless the purposes of every interest in `ids` are
 * granted, nothing changes (`no-consent`). An empty set clears them.
 * @returns whether it changed the stored set (for cross-tab sync) and the result
 */
async function declareInterests(ids, o) {
    const { known } = o;
    const want = validateIds(ids, known);
    const allowed = () => want.every((id) => known.get(id).purposes.every(o.isGranted));
    if (!allowed())
        return { stored: false, reason: 'no-consent', changed: false };
    return o.exclusive(async () => {
        const held = await o.load(); // another tab may have declared meanwhile
        // Re-checked inside the exclusive section: a withdrawal may have just happened.
        if (!allowed())
            return { stored: false, reason: 'no-consent', changed: false };
        const at = o.now();
        const ops = [];
        for (const [id, r] of held)
            if (!want.includes(id))
                ops.push({ type: 'delete', store: 'signals', key: r.key });
        const next = new Map();
        for (const id of want) {
            const r = held.get(id) ?? { key: PREFIX + id, interest: id, purposes: [...known.get(id).purposes], at };
            if (!held.has(id))
                ops.push({ type: 'put', store: 'signals', value: r });
            next.set(id, r);
        }
        await o.store().write(ops);
        o.replace(next);
        return { stored: true, reason: 'stored', changed: ops.length > 0 };
    });
}

export { declareInterests };
//# sourceMappingURL=interests-CISMedqz.js.map
