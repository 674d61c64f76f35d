// Firefox: Debian's firefox-esr over WebDriver BiDi with puppeteer-core (which never downloads a browser).
import { mkdtempSync } from 'node:fs';
import { removeProfileDir } from '../profile-dir';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { wrapPage, type TrackedPage } from './page';
import type { Engine } from './types';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** @param opts.private every window a private browsing window (`browser.privatebrowsing.autostart`) */
export async function launchFirefox(opts: { private?: boolean } = {}): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'cohortkit-e2e-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: dir,
    // puppeteer's defaults already turn off updates, telemetry and safe browsing; keep every
    // connection on this machine.
    extraPrefsFirefox: { 'network.dns.disablePrefetch': true, 'network.prefetch-next': false, 'browser.safebrowsing.malware.enabled': false,
      ...(opts.private && { 'browser.privatebrowsing.autostart': true }),
    },
  });
  const pages = new Set<TrackedPage>();
  const native: string[] = [];
  const sink: string[] = [];
  return {
    name: 'firefox',
    async newPage() {
      const p = await browser.newPage();
      p.on('pageerror', (e) => native.push(`pageerror: ${(e as Error).message ?? e}`));
      p.on('console', (m) => {
        if (m.type() === 'error') native.push(`console: ${m.text()}`);
      });
      const page = wrapPage(
        {
          goto: async (url) => void (await p.goto(url)),
          run: (source, arg) => p.evaluate(`${source}(${JSON.stringify(arg)})`),
          reload: async () => void (await p.reload()),
          close: () => p.close(),
        },
        sink,
        () => pages.delete(page),
      );
      pages.add(page);
      return page;
    },
    async errors() {
      for (const p of pages) await p.collect();
      return [...native.splice(0), ...sink.splice(0)];
    },
    async close() {
      await browser.close();
      removeProfileDir(dir);
    },
  };
}
