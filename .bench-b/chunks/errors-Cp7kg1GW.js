const MARK = Symbol.for('cohortkit.error');
/** The one error class cohortkit throws (rejects with). `code` is stable; `message` names the path or argument. */
class CohortkitError extends Error {
    name = 'CohortkitError';
    code;
    cause;
    constructor(code, message, cause) {
        super(message);
        this.code = code;
        if (cause !== undefined)
            this.cause = cause;
        this[MARK] = true;
    }
}
/** True for a CohortkitError from any realm (iframe, another bundle copy). */
function isCohortkitError(value) {
    return (typeof value === 'object' &&
        value !== null &&
        (value[MARK] === true ||
            (value.name === 'CohortkitError' &&
                typeof value.code === 'string')));
}

export { CohortkitError as C, isCohortkitError as i };
//# sourceMappingURL=errors-Cp7kg1GW.js.map
