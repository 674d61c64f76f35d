// What stands between the public internet and the collector's statistics: the read token and the
// per-address report limit. Addresses live only in this process's memory, bounded, never persisted.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CohortkitError } from '../../errors';

/** A read token: 16–512 visible ASCII characters (no spaces, no control characters). */
export function checkReadToken(t: unknown, path = 'readToken'): string {
  if (typeof t !== 'string' || !/^[\x21-\x7e]{16,512}$/.test(t)) {
    throw new CohortkitError('invalid-options', `${path}: expected 16–512 visible ASCII characters (no spaces or control characters)`);
  }
  return t;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Returns a check of `Authorization: Bearer <token>` against `token`, in constant time (both
 * sides hashed first, so neither the length nor a prefix leaks through timing).
 */
export function createTokenCheck(token: string): (header: string | undefined) => boolean {
  const want = digest(token);
  return (header) => {
    const m = typeof header === 'string' ? /^Bearer +([\x21-\x7e]{1,1024}) *$/i.exec(header) : null;
    // Always compare, even without a token, so a missing header costs what a wrong one does.
    const ok = timingSafeEqual(digest(m ? m[1] : ''), want);
    return ok && m !== null;
  };
}

/**
 * The client address a request counts against: the socket's peer, or with `trustProxy` the last
 * entry of X-Forwarded-For (the one the proxy in front of the collector appended). IPv6 addresses
 * count per /64 (one host usually holds a whole /64); IPv4-mapped IPv6 counts as IPv4.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  let a: string | undefined;
  if (trustProxy) {
    const h = req.headers['x-forwarded-for'];
    const list = (Array.isArray(h) ? h.join(',') : h ?? '').split(',');
    a = list[list.length - 1].trim() || undefined;
  }
  a = (a ?? req.socket.remoteAddress ?? '').slice(0, 64).toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  return a.includes(':') ? prefix64(a) : a;
}

/** The first four groups of an IPv6 address (`2001:db8:1:2::/64`), `::` expanded. */
function prefix64(a: string): string {
  const bare = a.replace(/^\[|\]$/g, '').split('%')[0];
  const [head, tail] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface AddressLimiter {
  /** Takes `n` reports from `address`'s minute; `0` when admitted, else seconds to wait. */
  take(address: string, n: number): number;
  /** Addresses currently tracked (for tests and the threat model's memory bound). */
  readonly size: number;
}

/**
 * Reports per client address in a sliding minute (the previous minute's count, weighted by how
 * much of it still overlaps the last 60 s, plus the current minute's). At most `maxAddresses`
 * are tracked, least recently seen forgotten first, so a flood from many addresses costs bounded
 * memory (~100 bytes an address); a forgotten address starts again from zero.
 */
export function createAddressLimiter(limit: number, now: () => number, maxAddresses = 100_000): AddressLimiter {
  const W = 60_000;
  const seen = new Map<string, { start: number; prev: number; cur: number }>();
  return {
    get size() {
      return seen.size;
    },
    take(address, n) {
      const t = now();
      const start = t - (t % W);
      let e = seen.get(address);
      if (e) seen.delete(address); // re-inserted last: the Map's order is least recently seen first
      else e = { start, prev: 0, cur: 0 };
      if (e.start !== start) (e.prev = start - e.start === W ? e.cur : 0), (e.cur = 0), (e.start = start);
      const weight = 1 - (t - start) / W;
      const used = e.prev * weight + e.cur;
      seen.set(address, e);
      if (seen.size > maxAddresses) seen.delete(seen.keys().next().value as string);
      if (used + n <= limit) {
        e.cur += n;
        return 0;
      }
      // When will prev·(1 − x/W) + cur + n fit? In this minute if cur + n ≤ limit, else in the next.
      if (e.cur + n <= limit && e.prev > 0) return Math.max(1, Math.ceil((W * (1 - (limit - n - e.cur) / e.prev) - (t - start)) / 1000));
      const nextWait = e.cur > 0 ? W * (1 - Math.max(0, limit - n) / e.cur) : 0;
      return Math.min(120, Math.max(1, Math.ceil((start + W - t + Math.max(0, nextWait)) / 1000)));
    },
  };
}
