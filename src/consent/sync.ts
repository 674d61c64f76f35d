/** Cross-tab messages for one namespace (BroadcastChannel; a no-op where it is missing). */
export interface TabSync {
  post(message: { type: string }): void;
  close(): void;
}

export function createTabSync(namespace: string, onMessage: (m: { type: string }) => void): TabSync {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, close() {} };
  const ch = new BroadcastChannel(`cohortkit:${namespace}`);
  // In Node a channel keeps the process alive; a client must never do that.
  (ch as { unref?: () => void }).unref?.();
  ch.onmessage = (e: MessageEvent) => {
    if (e.data && typeof e.data.type === 'string') onMessage(e.data);
  };
  return {
    post: (m) => {
      try {
        ch.postMessage(m);
      } catch {
        /* channel closed */
      }
    },
    close: () => ch.close(),
  };
}
