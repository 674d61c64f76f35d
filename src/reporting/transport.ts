import type { LDPReport } from '../types';

/** What happened to one report: delivered, refused for good (a permanent 4xx), or to retry (also: never attempted). */
export type SendOutcome = 'sent' | 'rejected' | 'failed';

export interface SendResult {
  /** Every report was delivered (2xx). */
  ok: boolean;
  /** Reports delivered. */
  sent: number;
  /** When not ok: the outcome of each report, in order. */
  outcomes?: SendOutcome[];
  /** HTTP status of the first failed response, else of the last response, if any. */
  status?: number;
  error?: string;
  /** Some chunk got a 4xx other than 408/429: the collector refuses those reports; retrying cannot help. */
  permanent?: boolean;
}

/** The outcome of report `i` of a send. */
export const outcomeOf = (r: SendResult, i: number): SendOutcome => (r.ok ? 'sent' : r.outcomes?.[i] ?? 'failed');

export interface SendOptions {
  fetch?: typeof fetch;
  /** Deadline for the whole call, all chunks included (default 8000 ms). */
  timeoutMs?: number;
}

/** keepalive bodies are limited to 64 KiB in flight: chunks stay under 60 KiB. */
export const MAX_CHUNK = 60 * 1024;

/**
 * POSTs reports to `endpoint` with `fetch` (never sendBeacon, which sends cookies and the
 * referrer): JSON body (one object for a single report, else an array), `content-type:
 * text/plain;charset=UTF-8` (no preflight), `credentials: 'omit'`, `referrerPolicy:
 * 'no-referrer'`, `keepalive: true`, `cache: 'no-store'`, `mode: 'cors'`. Bodies over 60 KiB are
 * split into chunks sent one after another. A chunk refused with a permanent 4xx drops only its own
 * reports: the next chunks are still sent. Any other failure (5xx, 408, 429, network) stops there:
 * that chunk and the later ones are retried. One AbortController deadline covers the whole call, so
 * a hanging endpoint resolves `{ ok: false, error: 'timeout' }`. Never throws.
 */
export async function sendReports(endpoint: string, reports: LDPReport[], opts: SendOptions = {}): Promise<SendResult> {
  const { fetch: f = (u, i) => globalThis.fetch(u, i), timeoutMs = 8000 } = opts;
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new Error('timeout'));
    }, timeoutMs);
  });
  const result: SendResult = { ok: true, sent: 0 };
  const outcomes: SendOutcome[] = [];
  const fail = (error: string, status?: number) => {
    if (result.ok) Object.assign(result, { ok: false, error }, status !== undefined && { status });
  };
  try {
    // Reports are ASCII (ids, base64url, numbers), so string length = bytes.
    const chunks: string[][] = [];
    let size = 0;
    for (const r of reports) {
      const json = JSON.stringify(r);
      const last = chunks[chunks.length - 1];
      if (!last || size + json.length + 1 > MAX_CHUNK - 2) chunks.push([json]), (size = json.length);
      else last.push(json), (size += json.length + 1);
    }
    for (const c of chunks) {
      const res = await Promise.race([
        f(endpoint, {
          method: 'POST',
          body: c.length === 1 ? c[0] : `[${c.join(',')}]`,
          headers: { 'content-type': 'text/plain;charset=UTF-8' },
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          keepalive: true,
          cache: 'no-store',
          mode: 'cors',
          signal: ctl.signal,
        }),
        deadline,
      ]);
      if (result.ok) result.status = res.status;
      if (res.status >= 200 && res.status <= 299) {
        result.sent += c.length;
        outcomes.push(...c.map((): SendOutcome => 'sent'));
        continue;
      }
      fail(`HTTP ${res.status}`, res.status);
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        // Refused for good: drop these, go on with the next chunk.
        result.permanent = true;
        outcomes.push(...c.map((): SendOutcome => 'rejected'));
        continue;
      }
      break;
    }
  } catch (e) {
    fail(ctl.signal.aborted ? 'timeout' : String((e as Error)?.message ?? e));
  } finally {
    clearTimeout(timer);
  }
  if (!result.ok) result.outcomes = reports.map((_, i) => outcomes[i] ?? 'failed');
  return result;
}
