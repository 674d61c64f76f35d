export { V as version } from './version-CqUn23qH.js';

const SEARCH = 'google|bing|duckduckgo|yahoo|baidu|yandex|ecosia';
const SOCIAL = 'facebook|twitter|linkedin|instagram|reddit|pinterest|youtube|tiktok';
/** `s` matches the whole alternation `alt` (case-sensitive, as the callers lowercase). */
const is = (alt, s, before = '^(', after = ')$') => new RegExp(before + alt + after).test(s);
const parse = (url) => {
    try {
        return new URL(url);
    }
    catch { }
};
const bareHost = (u) => u.hostname.toLowerCase().replace(/^www\./, '');
/** Device class from client hints, then the user agent (iPad, Android without "Mobile" → tablet). */
function classifyDevice(env) {
    const ua = env.userAgent || '';
    const w = env.screenWidth;
    return env.mobileHint === true
        ? 'mobile'
        : /iPad|Tablet|PlayBook|Silk|Kindle/i.test(ua) || (/Android/i.test(ua) && !/Mobi/i.test(ua))
            ? 'tablet'
            : /Mobi|iPhone|iPod|Android|Windows Phone/i.test(ua)
                ? 'mobile'
                : /Macintosh/.test(ua) && env.maxTouchPoints > 1
                    ? 'tablet'
                    : !ua && w > 0
                        ? w < 600 ? 'mobile' : w < 1024 ? 'tablet' : 'desktop'
                        : 'desktop';
}
/** Referrer type: none, internal (same host, `www.` ignored), search, social or external. */
function classifyReferrer(referrer, url) {
    const ref = parse(referrer);
    if (!ref?.hostname)
        return 'none';
    const host = bareHost(ref);
    const page = parse(url);
    return page && bareHost(page) == host
        ? 'internal'
        : is(SEARCH, host, '(^|\\.)(', ')\\.')
            ? 'search'
            : is(SOCIAL, host, '(^|\\.)((', ')\\.|(t\\.co|x\\.com|fb\\.com|lnkd\\.in|youtu\\.be)$)')
                ? 'social'
                : 'external';
}
/**
 * Acquisition channel: UTM tags first (`utm_medium`, then `utm_source`), then ad click ids,
 * then the referrer type. Unrecognised UTM values fall through to the next rule.
 */
function classifyChannel(url, referrer) {
    const q = parse(url)?.searchParams;
    const utm = (k) => (q.get('utm_' + k) || '').toLowerCase().trim();
    if (q) {
        const medium = utm('medium');
        const rules = [
            ['cpc|ppc|paid.*|display|cpm|cpv|banner|retargeting', 'paid'],
            ['e-?mail|newsletter', 'email'],
            ['social|social[-_ ](network|media)|sm', 'social'],
            ['organic', 'search'],
            ['referral|affiliate', 'referral'],
        ];
        for (const [alt, channel] of rules)
            if (is(alt, medium))
                return channel;
        const source = utm('source');
        if (is(SEARCH, source))
            return 'search';
        if (is(SOCIAL + '|fb|ig|x|t\\.co', source))
            return 'social';
        if (['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid'].some((id) => q.has(id)))
            return 'paid';
    }
    return referrer == 'external' ? 'referral' : referrer == 'search' || referrer == 'social' ? referrer : 'direct';
}
/** Builds the visitor context from explicit inputs (pure). */
function readContext(env) {
    const tz = env.timezoneOffsetMinutes;
    const utc = tz !== undefined;
    const local = new Date(utc ? env.now - tz * 60000 : env.now);
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
function contextFromWindow(win, now) {
    // A missing window or navigator makes the read throw, which reads as absent.
    const w = win;
    const get = (type, read) => {
        try {
            const v = read();
            return typeof v == type ? v : undefined;
        }
        catch { }
    };
    const S = 'string';
    const N = 'number';
    const env = {
        now,
        userAgent: get(S, () => w.navigator.userAgent),
        mobileHint: get('boolean', () => w.navigator.userAgentData.mobile),
        maxTouchPoints: get(N, () => w.navigator.maxTouchPoints),
        screenWidth: get(N, () => w.screen.width),
        url: get(S, () => w.location.href),
        referrer: get(S, () => w.document.referrer),
        language: get(S, () => w.navigator.language || w.navigator.languages[0]),
    };
    // Classifying (URLs parsed, the user agent read) is the cost; the same inputs within the same
    // minute (hour and weekday cannot differ) give the same context.
    const key = JSON.stringify({ ...env, now: Math.floor(now / 60_000) });
    if (memo?.key !== key)
        memo = { key, context: readContext(env) };
    return { ...memo.context };
}
let memo;

export { contextFromWindow };
//# sourceMappingURL=context-D9nZkc2M.js.map
