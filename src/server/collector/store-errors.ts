// What the collector says when its store fails. A built-in store's error is the driver's
// (`password authentication failed for user "u"`, `connect ECONNREFUSED 10.0.0.5:5432`): it goes
// to stderr, once per distinct message (never the connection string's password), and anonymous
// clients get a generic message. Our own errors (a missing driver, a timeout) name no secret and
// are passed on, as is a custom store's (its messages are the operator's own).
import { CohortkitError } from '../../errors';
import { StoreTimeoutError } from './group-commit';
import type { StoreOption } from './store';

/** What an anonymous client is told when a built-in store fails (the cause is on stderr). */
export const STORE_UNAVAILABLE = "store unavailable: details in the collector's log";

/** The kind a store option opens (for `/healthz` before it opened). */
export const storeKind = (so: StoreOption | undefined): string =>
  !so ? 'memory' : 'addBatch' in so ? so.kind : 'dataDir' in so ? 'pglite' : 'postgres';

/** Strings never to log: the connection string and its password (raw and decoded). */
function storeSecrets(so: StoreOption | undefined): string[] {
  if (!so || !('databaseUrl' in so) || typeof so.databaseUrl !== 'string') return [];
  const out = [so.databaseUrl];
  try {
    const pw = new URL(so.databaseUrl).password;
    if (pw) out.push(pw, decodeURIComponent(pw));
  } catch {}
  return [...new Set(out.filter((x) => x.length >= 3))].sort((a, b) => b.length - a.length);
}

/** `unavailable(e)`: the body of a 503 for `e`, logged once per message; `logged.clear()` when the store answers again. */
export function createStoreErrors(so: StoreOption | undefined) {
  const custom = so !== undefined && 'addBatch' in so;
  const secrets = storeSecrets(so);
  const logged = new Set<string>();
  const unavailable = (e: unknown) => {
    const own = e instanceof CohortkitError || e instanceof StoreTimeoutError;
    let msg = e instanceof Error ? e.message : String(e);
    for (const x of secrets) msg = msg.split(x).join('***');
    if (!logged.has(msg)) {
      if (logged.size >= 1000) logged.clear();
      logged.add(msg);
      console.error(`cohortkit collector: store unavailable: ${msg}`);
    }
    return { error: own || custom ? `store unavailable: ${msg}` : STORE_UNAVAILABLE };
  };
  return { unavailable, logged };
}
