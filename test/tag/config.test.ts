import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig, type ConfigWindow } from '../../src/tag';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

const script = (config?: string) => {
  const s = document.createElement('script');
  if (config !== undefined) s.setAttribute('data-config', config);
  return s;
};
const page = (body: unknown, extra: Partial<ConfigWindow> = {}, status = 200) => {
  const fetch = vi.fn(async (_url: string, _init?: RequestInit) => ({
    ok: status < 400,
    status,
    json: async () => body,
  }));
  const win: ConfigWindow = { location: { href: 'https://shop.example/a/b.html', origin: 'https://shop.example' }, fetch, ...extra };
  return { win, fetch };
};

describe('resolveConfig', () => {
  it('window.cohortkitConfig wins over data-config', async () => {
    const { win, fetch } = page({ namespace: 'file' }, { cohortkitConfig: { namespace: 'inline' } });
    await expect(resolveConfig(win, script('/c.json'))).resolves.toEqual({ namespace: 'inline' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('fetches a same-origin data-config, resolved against the page, with same-origin credentials', async () => {
    const { win, fetch } = page({ namespace: 'file' }, { cohortkitConfig: 'not an object' });
    await expect(resolveConfig(win, script('cfg/ck.json'))).resolves.toEqual({ namespace: 'file' });
    expect(fetch).toHaveBeenCalledWith('https://shop.example/a/cfg/ck.json', { credentials: 'same-origin' });
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    'https://evil.example/ck.json',
    '//evil.example/ck.json',
    'http://shop.example/ck.json',
    'https://shop.example:8443/ck.json',
    'data:application/json,{"namespace":"x"}',
  ])('refuses a cross-origin data-config %s with a warning', async (url) => {
    const { win, fetch } = page({ namespace: 'evil' });
    await expect(resolveConfig(win, script(url))).resolves.toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('same-origin');
  });

  it('resolves undefined (with a warning, never a rejection) on HTTP errors, bad JSON and non-objects', async () => {
    for (const [body, status] of [[{ a: 1 }, 404], [[1, 2], 200], ['x', 200]] as const) {
      const { win } = page(body, {}, status);
      await expect(resolveConfig(win, script('/c.json'))).resolves.toBeUndefined();
    }
    const { win } = page(null);
    win.fetch = async () => {
      throw new TypeError('network down');
    };
    await expect(resolveConfig(win, script('/c.json'))).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(4);
  });

  it('without config anywhere: undefined, no fetch, no warning', async () => {
    const { win, fetch } = page({});
    await expect(resolveConfig(win, null)).resolves.toBeUndefined();
    await expect(resolveConfig(win, script())).resolves.toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });
});
