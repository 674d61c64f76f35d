import { CohortkitError, isCohortkitError } from './errors';
import type { ClientEvent } from './types';

type Listener = (detail: unknown) => void;

/** The Client's hidden error channel (the tag queue's errors go through it): `(e) => delivered`. */
export const EMIT = Symbol.for('cohortkit.emit');

/** Typed event hub. A listener that throws is isolated: the others still run, the page never sees it. */
export function createEmitter() {
  const listeners = new Map<ClientEvent, Set<Listener>>();
  // Errors raised before anyone listens (e.g. a storage fallback during createClient) are
  // kept, a few, and delivered to the first 'error' listener.
  let early: unknown[] = [];
  return {
    on(event: ClientEvent, listener: Listener): () => void {
      if (typeof listener != 'function') throw new CohortkitError('invalid-argument', 'listener: expected a function');
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      if (event === 'error' && early.length) {
        const pending = early;
        early = [];
        queueMicrotask(() => pending.forEach((e) => this.emit('error', e)));
      }
      return () => void listeners.get(event)?.delete(listener);
    },
    /** Delivers `detail`; false when it is an error no one listens to yet (kept for the first listener). */
    emit(event: ClientEvent, detail: unknown): boolean {
      if (event === 'error' && !listeners.get('error')?.size) {
        if (early.length < 10) early.push(detail);
        return false;
      }
      for (const l of [...(listeners.get(event) ?? [])]) {
        try {
          l(detail);
        } catch (e) {
          let what = 'an unprintable value';
          try {
            what = String(e);
          } catch {}
          if (event !== 'error') this.emit('error', isCohortkitError(e) ? e : new CohortkitError('listener', `a '${event}' listener threw: ${what}`, e));
        }
      }
      return true;
    },
    clear: () => listeners.clear(),
  };
}
