import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest accepted request body: 256 KiB. */
export const BODY_LIMIT = 256 * 1024;

/** Sends JSON with `cache-control: no-store` (never a cookie). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(text && { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * Reads a request body up to `limit` bytes. Past it, the rest is drained (not kept) and the
 * result is `'too-large'`. Rejects when the client goes away.
 */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > 64 * limit) req.destroy(); // not draining forever
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
    // 'close' follows every request, read or not: only one that never arrived whole is an error
    // (building the Error, with its stack, for each request was ~5 % of a batch-1 request's CPU).
    req.on('close', () => req.complete || reject(new Error('request closed')));
  });
}

/** A token bucket per connection: `requests` per `perMs`, with bursts up to `requests`. */
export function createRateLimiter(requests: number, perMs: number, now: () => number): (key: object) => boolean {
  const buckets = new WeakMap<object, { tokens: number; at: number }>();
  return (key) => {
    const t = now();
    const b = buckets.get(key) ?? { tokens: requests, at: t };
    // A clock that steps back (NTP, a QA clock) refills nothing rather than draining the bucket.
    b.tokens = Math.min(requests, b.tokens + (Math.max(0, t - b.at) * requests) / perMs);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  };
}

/** The media type of a content-type header, lowercased, without parameters. */
export const mediaType = (h: string | undefined): string => (h ?? '').split(';')[0].trim().toLowerCase();
