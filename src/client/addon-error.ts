import { CohortkitError, isCohortkitError } from '../errors';

/**
 * An error made by a script-tag add-on (which carries its own copy of the class) as this bundle's
 * `CohortkitError`: `instanceof` holds for the page and for our own checks; code, message and
 * cause are kept. Anything else, and in the ESM build every error, is returned as is.
 */
export const ownError = (e: unknown): unknown => {
  if (!isCohortkitError(e) || e instanceof CohortkitError) return e;
  const { code, message, cause } = e as CohortkitError;
  return new CohortkitError(code, message, cause);
};

/**
 * A failed add-on load as a `network` error naming what could not be loaded: the script-tag
 * loader's own error as it is, anything else (the ESM build's failed chunk import) wrapped.
 * @param what e.g. `report: private reporting`
 */
export const loadError = (e: unknown, what: string): CohortkitError =>
  isCohortkitError(e) ? (e as CohortkitError) : new CohortkitError('network', `${what} could not be loaded`, e);
