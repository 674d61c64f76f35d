// contextFromWindow remembers its classification for the same inputs within one minute, and
// never serves it across a change of any input (URL, screen, language…) or of the minute.
import { describe, expect, it } from 'vitest';
import { contextFromWindow } from '../../src/signals';

const win = (href: string, referrer = '', language = 'en-US') =>
  ({ navigator: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', language, languages: [language], maxTouchPoints: 0 }, screen: { width: 1280 }, location: { href }, document: { referrer } }) as unknown as Window;

describe('contextFromWindow (remembered classification)', () => {
  const at = Date.UTC(2026, 0, 5, 10, 30);
  it('follows every input and the hour', () => {
    const a = contextFromWindow(win('https://s.example/?utm_medium=email'), at);
    expect(a.channel).toBe('email');
    expect(contextFromWindow(win('https://s.example/?utm_medium=cpc'), at).channel).toBe('paid');
    expect(contextFromWindow(win('https://s.example/', 'https://www.google.com/'), at).referrer).toBe('search');
    expect(contextFromWindow(win('https://s.example/'), at).referrer).toBe('none');
    expect(contextFromWindow(win('https://s.example/', '', 'de-DE'), at).language).toBe('de-de');
    const later = contextFromWindow(win('https://s.example/'), at + 3_600_000);
    expect((later.hour - contextFromWindow(win('https://s.example/'), at).hour + 24) % 24).toBe(1);
  });
  it('hands out a copy (a caller changing it changes nothing for the next)', () => {
    const a = contextFromWindow(win('https://s.example/'), at);
    (a as { device: string }).device = 'tablet';
    expect(contextFromWindow(win('https://s.example/'), at).device).toBe('desktop');
  });
});
