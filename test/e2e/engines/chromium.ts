// Chromium: Debian's /usr/bin/chromium through playwright-core (the harness's launch flags).
import { launch } from '../harness';
import { wrapPage, type TrackedPage } from './page';
import type { Engine } from './types';

export async function launchChromium(opts: { private?: boolean } = {}): Promise<Engine> {
  const browser = await launch({ incognito: opts.private });
  const pages = new Set<TrackedPage>();
  const sink: string[] = [];
  return {
    name: 'chromium',
    async newPage() {
      const p = await browser.context.newPage();
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
      return [...browser.errors.splice(0), ...sink.splice(0)];
    },
    close: () => browser.close(),
  };
}
