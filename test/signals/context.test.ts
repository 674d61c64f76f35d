import { describe, expect, it } from 'vitest';
import { classifyDevice, contextFromWindow, readContext } from '../../src/signals';

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  ipadOS: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  androidPhone: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
  androidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  kindle: 'Mozilla/5.0 (Linux; U; en-us; KFAPWI Build/JDQ39) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.13 Safari/535.19',
};

describe('device', () => {
  it.each([
    [{ userAgent: UA.iphone }, 'mobile'],
    [{ userAgent: UA.ipad }, 'tablet'],
    [{ userAgent: UA.ipadOS, maxTouchPoints: 5 }, 'tablet'],
    [{ userAgent: UA.ipadOS, maxTouchPoints: 0 }, 'desktop'],
    [{ userAgent: UA.androidPhone }, 'mobile'],
    [{ userAgent: UA.androidTablet }, 'tablet'],
    [{ userAgent: UA.androidTablet, mobileHint: false }, 'tablet'],
    [{ userAgent: UA.kindle }, 'tablet'],
    [{ userAgent: UA.windows }, 'desktop'],
    [{ userAgent: UA.windows, mobileHint: true }, 'mobile'],
    [{ userAgent: UA.windows, screenWidth: 400 }, 'desktop'],
    [{ screenWidth: 400 }, 'mobile'],
    [{ screenWidth: 800 }, 'tablet'],
    [{ screenWidth: 1440 }, 'desktop'],
    [{}, 'desktop'],
  ] as const)('%o → %s', (env, device) => {
    expect(classifyDevice(env)).toBe(device);
  });
});

const page = 'https://shop.example.com/landing';
// [url query, referrer, channel, referrer type]
const channels: Array<[string, string | undefined, string, string]> = [
  ['', undefined, 'direct', 'none'],
  ['', '', 'direct', 'none'],
  ['', 'not a url', 'direct', 'none'],
  ['', 'https://shop.example.com/other', 'direct', 'internal'],
  ['', 'https://www.shop.example.com/', 'direct', 'internal'],
  ['', 'https://www.google.com/', 'search', 'search'],
  ['', 'https://www.google.co.uk/search?q=x', 'search', 'search'],
  ['', 'https://www.bing.com/', 'search', 'search'],
  ['', 'https://duckduckgo.com/', 'search', 'search'],
  ['', 'https://search.yahoo.co.jp/', 'search', 'search'],
  ['', 'https://yandex.ru/', 'search', 'search'],
  ['', 'https://www.ecosia.org/', 'search', 'search'],
  ['', 'https://m.facebook.com/', 'social', 'social'],
  ['', 'https://t.co/abc', 'social', 'social'],
  ['', 'https://x.com/someone', 'social', 'social'],
  ['', 'https://www.linkedin.com/feed', 'social', 'social'],
  ['', 'https://old.reddit.com/r/x', 'social', 'social'],
  ['', 'https://www.youtube.com/watch', 'social', 'social'],
  ['', 'https://blog.partner.org/post', 'referral', 'external'],
  ['', 'https://notgoogle.com/', 'referral', 'external'],
  ['', 'https://example.com/', 'referral', 'external'],
  ['?utm_medium=cpc&utm_source=google', 'https://www.google.com/', 'paid', 'search'],
  ['?utm_medium=PPC', undefined, 'paid', 'none'],
  ['?utm_medium=paid_social&utm_source=facebook', undefined, 'paid', 'none'],
  ['?utm_medium=display', undefined, 'paid', 'none'],
  ['?utm_medium=cpm', undefined, 'paid', 'none'],
  ['?utm_medium=email', 'https://mail.google.com/', 'email', 'search'],
  ['?utm_medium=newsletter', undefined, 'email', 'none'],
  ['?utm_medium=social', undefined, 'social', 'none'],
  ['?utm_medium=social-network', undefined, 'social', 'none'],
  ['?utm_medium=sm', undefined, 'social', 'none'],
  ['?utm_medium=organic&utm_source=bing', undefined, 'search', 'none'],
  ['?utm_source=google', undefined, 'search', 'none'],
  ['?utm_source=DuckDuckGo', undefined, 'search', 'none'],
  ['?utm_source=facebook', 'https://www.google.com/', 'social', 'search'],
  ['?utm_source=linkedin', undefined, 'social', 'none'],
  ['?gclid=abc', undefined, 'paid', 'none'],
  ['?fbclid=abc', 'https://m.facebook.com/', 'paid', 'social'],
  ['?msclkid=abc', 'https://www.bing.com/', 'paid', 'search'],
  ['?utm_source=partner', undefined, 'direct', 'none'],
  ['?utm_source=partner', 'https://partner.org/', 'referral', 'external'],
  ['?utm_medium=referral', undefined, 'referral', 'none'],
  ['?utm_medium=unknown-thing', 'https://www.bing.com/', 'search', 'search'],
];

describe('channel and referrer', () => {
  it.each(channels)('url %s, referrer %s → %s / %s', (query, referrer, channel, type) => {
    const ctx = readContext({ now: 0, url: page + query, referrer });
    expect(ctx.channel).toBe(channel);
    expect(ctx.referrer).toBe(type);
  });

  it('treats an unparsable url as having no UTM tags', () => {
    expect(readContext({ now: 0, url: 'nope?utm_medium=cpc', referrer: 'https://bing.com/' }).channel).toBe('search');
  });
});

describe('time and language', () => {
  // 2024-01-07 is a Sunday. 23:30 UTC.
  const sundayLate = Date.UTC(2024, 0, 7, 23, 30);
  it.each([
    [0, 23, 0],
    [-120, 1, 1], // UTC+2: Monday 01:30
    [300, 18, 0], // UTC-5: Sunday 18:30
    [-60, 0, 1], // UTC+1: Monday 00:30
  ])('offset %i → hour %i weekday %i', (tz, hour, weekday) => {
    const ctx = readContext({ now: sundayLate, timezoneOffsetMinutes: tz });
    expect([ctx.hour, ctx.weekday]).toEqual([hour, weekday]);
  });

  it('defaults to the runtime local time', () => {
    const d = new Date(sundayLate);
    const ctx = readContext({ now: sundayLate });
    expect([ctx.hour, ctx.weekday]).toEqual([d.getHours(), d.getDay()]);
  });

  it('lowercases the language tag', () => {
    expect(readContext({ now: 0, language: 'en-US' }).language).toBe('en-us');
    expect(readContext({ now: 0, language: 'pt_BR' }).language).toBe('pt-br');
    expect(readContext({ now: 0 }).language).toBe('');
  });
});

describe('contextFromWindow', () => {
  it('returns defaults without a window', () => {
    expect(contextFromWindow(undefined, 0)).toMatchObject({ device: 'desktop', channel: 'direct', referrer: 'none', language: '' });
  });

  it('reads navigator, location and document', () => {
    const win = {
      navigator: { userAgent: UA.iphone, language: 'fr-FR', maxTouchPoints: 5 },
      location: { href: 'https://a.example/?utm_medium=email' },
      document: { referrer: 'https://a.example/home' },
      screen: { width: 390 },
    } as unknown as Window;
    expect(contextFromWindow(win, 0)).toMatchObject({ device: 'mobile', channel: 'email', referrer: 'internal', language: 'fr-fr' });
  });

  it('uses userAgentData.mobile and survives throwing getters', () => {
    const boom = () => {
      throw new Error('denied');
    };
    const win = {
      navigator: { userAgent: UA.windows, userAgentData: { mobile: true }, get language() { return boom(); } },
      get location() { return boom(); },
      document: { get referrer() { return boom(); } },
    } as unknown as Window;
    expect(contextFromWindow(win, 0)).toMatchObject({ device: 'mobile', channel: 'direct', referrer: 'none', language: '' });
  });

  it('works with the happy-dom window', () => {
    const ctx = contextFromWindow(window, Date.UTC(2024, 0, 1));
    expect(['mobile', 'tablet', 'desktop']).toContain(ctx.device);
    expect(ctx.hour).toBeGreaterThanOrEqual(0);
    expect(ctx.hour).toBeLessThan(24);
  });
});
