import { CohortkitError, isCohortkitError } from './errors';
import type { ClientEvent } from './types';

type Listener = (detail: unknown) => void;

/** Typed event hub. A listener that throws is isolated: the others still run, the page never sees it. */
export function createEmitter() {
  const listeners = new Map<ClientEvent, Set<Listener>>();
  return {
    on(event: ClientEvent, listener: Listener): () => void {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => void listeners.get(event)?.delete(listener);
    },
    emit(event: ClientEvent, detail: unknown): void {
      for (const l of [...(listeners.get(event) ?? [])]) {
        try {
          l(detail);
        } catch (e) {
          if (event !== 'error')
            this.emit('error', isCohortkitError(e) ? e : new CohortkitError('listener', `a '${event}' listener threw: ${String(e)}`, e));
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
