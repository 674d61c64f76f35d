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
