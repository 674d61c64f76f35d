/** Stable error codes. */
export type CohortkitErrorCode =
  | 'invalid-options'
  | 'invalid-argument'
  | 'storage'
  | 'network'
  | 'closed'
  | 'listener'
  /** A consent platform (TCF, GPP) failed or answered with what cannot be read. */
  | 'interop';

const MARK = Symbol.for('cohortkit.error');

/** The one error class cohortkit throws (rejects with). `code` is stable; `message` names the path or argument. */
export class CohortkitError extends Error {
  override readonly name = 'CohortkitError';
  readonly code: CohortkitErrorCode;
  override readonly cause?: unknown;
  constructor(code: CohortkitErrorCode, message: string, cause?: unknown) {
    super(message);
    this.code = code;
    if (cause !== undefined) this.cause = cause;
    (this as unknown as Record<symbol, boolean>)[MARK] = true;
  }
}

/** True for a CohortkitError from any realm (iframe, another bundle copy). Never throws (a hostile proxy is not one). */
export function isCohortkitError(value: unknown): value is CohortkitError {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      ((value as Record<symbol, unknown>)[MARK] === true ||
        ((value as { name?: unknown }).name === 'CohortkitError' && typeof (value as { code?: unknown }).code === 'string'))
    );
  } catch {
    return false;
  }
}
