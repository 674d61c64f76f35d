import type { VisitorContext } from './types';

/** Everything `readContext` needs, read from the page by `contextFromWindow` (or given by tests). */
export interface ContextEnv {
  userAgent?: string;
  /** `navigator.userAgentData.mobile` when available. */
  mobileHint?: boolean;
  /** `navigator.maxTouchPoints`: tells iPadOS (which claims to be a Mac) from a Mac. */
  maxTouchPoints?: number;
  /** `screen.width`: used only when there is no user agent. */
  screenWidth?: number;
  url?: string;
  referrer?: string;
  language?: string;
  now: number;
  /** As `Date#getTimezoneOffset()` (UTC − local, minutes; UTC+2 → −120). Default: the runtime's zone. */
  timezoneOffsetMinutes?: number;
}

const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia)\./;
const SOCIAL = /(^|\.)((facebook|twitter|linkedin|instagram|reddit|pinterest|youtube|tiktok)\.|(t\.co|x\.com|fb\.com|lnkd\.in|youtu\.be)$)/;
const SEARCH_SOURCE = /^(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia)$/;
const SOCIAL_SOURCE = /^(facebook|fb|instagram|ig|twitter|x|t\.co|linkedin|reddit|pinterest|youtube|tiktok)$/;
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid'];

const parse = (url: string | undefined): URL | undefined => {
  try {
    return url ? new URL(url) : undefined;
  } catch {
    return undefined;
  }
};
const bareHost = (u: URL) => u.hostname.toLowerCase().replace(/^www\./, '');

/** Device class from client hints, then the user agent (iPad, Android without "Mobile" → tablet). */
export function classifyDevice(env: Pick<ContextEnv, 'userAgent' | 'mobileHint' | 'maxTouchPoints' | 'screenWidth'>): VisitorContext['device'] {
  const ua = env.userAgent || '';
  if (env.mobileHint === true) return 'mobile';
  if (/iPad|Tablet|PlayBook|Silk|Kindle/i.test(ua) || (/Android/i.test(ua) && !/Mobi/i.test(ua))) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|Windows Phone/i.test(ua)) return 'mobile';
  if (/Macintosh/.test(ua) && (env.maxTouchPoints ?? 0) > 1) return 'tablet';
  const w = env.screenWidth;
  if (!ua && w && w > 0) return w < 600 ? 'mobile' : w < 1024 ? 'tablet' : 'desktop';
  return 'desktop';
}

/** Referrer type: none, internal (same host, `www.` ignored), search, social or external. */
export function classifyReferrer(referrer: string | undefined, url: string | undefined): VisitorContext['referrer'] {
  const ref = parse(referrer);
  if (!ref || !ref.hostname) return 'none';
  const host = bareHost(ref);
  const page = parse(url);
  if (page && bareHost(page) === host) return 'internal';
  return SEARCH.test(host) ? 'search' : SOCIAL.test(host) ? 'social' : 'external';
}

/**
 * Acquisition channel: UTM tags first (`utm_medium`, then `utm_source`), then ad click ids,
 * then the referrer type. Unrecognised UTM values fall through to the next rule.
 */
export function classifyChannel(url: string | undefined, referrer: VisitorContext['referrer']): VisitorContext['channel'] {
  const q = parse(url)?.searchParams;
  if (q) {
    const medium = (q.get('utm_medium') || '').toLowerCase().trim();
    if (/^(cpc|ppc|paid.*|display|cpm|cpv|banner|retargeting)$/.test(medium)) return 'paid';
    if (/^(e-?mail|newsletter)$/.test(medium)) return 'email';
    if (/^(social|social[-_ ](network|media)|sm)$/.test(medium)) return 'social';
    if (medium === 'organic') return 'search';
    if (/^(referral|affiliate)$/.test(medium)) return 'referral';
    const source = (q.get('utm_source') || '').toLowerCase().trim();
    if (SEARCH_SOURCE.test(source)) return 'search';
    if (SOCIAL_SOURCE.test(source)) return 'social';
    if (CLICK_IDS.some((id) => q.has(id))) return 'paid';
  }
  return referrer === 'search' ? 'search' : referrer === 'social' ? 'social' : referrer === 'external' ? 'referral' : 'direct';
}

/** Builds the visitor context from explicit inputs (pure). */
export function readContext(env: ContextEnv): VisitorContext {
  const tz = env.timezoneOffsetMinutes;
  const local = new Date(tz === undefined ? env.now : env.now - tz * 60000);
  const utc = tz !== undefined;
  const referrer = classifyReferrer(env.referrer, env.url);
  return {
    device: classifyDevice(env),
    channel: classifyChannel(env.url, referrer),
    hour: utc ? local.getUTCHours() : local.getHours(),
    weekday: utc ? local.getUTCDay() : local.getDay(),
    language: (env.language || '').toLowerCase().replace(/_/g, '-'),
    referrer,
  };
}

/** Reads the context from a window (navigator, screen, location, document); never throws, defaults when absent (Node). */
export function contextFromWindow(win: Window | undefined, now: number): VisitorContext {
  const get = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const nav = get(() => win?.navigator) as (Navigator & { userAgentData?: { mobile?: unknown } }) | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const hint = get(() => nav?.userAgentData?.mobile);
  return readContext({
    now,
    userAgent: str(get(() => nav?.userAgent)),
    mobileHint: typeof hint === 'boolean' ? hint : undefined,
    maxTouchPoints: num(get(() => nav?.maxTouchPoints)),
    screenWidth: num(get(() => win?.screen?.width)),
    url: str(get(() => win?.location?.href)),
    referrer: str(get(() => win?.document?.referrer)),
    language: str(get(() => nav?.language || nav?.languages?.[0])),
  });
}
