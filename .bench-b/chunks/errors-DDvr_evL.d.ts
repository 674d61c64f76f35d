/** Stable error codes. */
type CohortkitErrorCode = 'invalid-options' | 'invalid-argument' | 'storage' | 'network' | 'closed' | 'listener';
/** The one error class cohortkit throws (rejects with). `code` is stable; `message` names the path or argument. */
declare class CohortkitError extends Error {
    readonly name = "CohortkitError";
    readonly code: CohortkitErrorCode;
    readonly cause?: unknown;
    constructor(code: CohortkitErrorCode, message: string, cause?: unknown);
}
/** True for a CohortkitError from any realm (iframe, another bundle copy). */
declare function isCohortkitError(value: unknown): value is CohortkitError;

export { CohortkitError as C, isCohortkitError as i };
export type { CohortkitErrorCode as a };
