// WebKit: Debian's webkit2gtk-driver (WebKitWebDriver driving MiniBrowser) with selenium-webdriver.
// MiniBrowser has no headless mode: run under `xvfb-run -a`. The driver is started here, on
// loopback, and the client connects to exactly that address.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { wrapPage, type TrackedPage } from './page';
import type { Engine } from './types';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';

/** MiniBrowser from webkit2gtk (path varies with the architecture and API version). */
export function miniBrowserPath(): string {
  if (process.env.WEBKIT_MINIBROWSER) return process.env.WEBKIT_MINIBROWSER;
  for (const arch of existsSync('/usr/lib') ? readdirSync('/usr/lib') : [])
    for (const api of ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0']) {
      const p = `/usr/lib/${arch}/${api}/MiniBrowser`;
      if (existsSync(p)) return p;
    }
  throw new Error('MiniBrowser not found: apt-get install webkit2gtk-driver (or set WEBKIT_MINIBROWSER)');
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function startDriver(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=local'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += c));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited ${proc.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/status`)).ok) return { url, proc };
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw (proc.kill(), new Error(`WebKitWebDriver did not start on ${url}: ${stderr}`));
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface WebKitOptions {
  /** Extra MiniBrowser arguments, e.g. `--features=+StorageAPI` (Safari ships the Storage API; WebKitGTK keeps it off). */
  args?: string[];
  /** MiniBrowser `--private`: an ephemeral data store. */
  private?: boolean;
}

export async function launchWebKit(opts: WebKitOptions = {}): Promise<Engine> {
  if (!process.env.DISPLAY) throw new Error('WebKit (MiniBrowser) needs a display: run the e2e suite under `xvfb-run -a`');
  const { url, proc } = await startDriver();
  let driver: WebDriver;
  try {
    driver = await new Builder()
      .usingServer(url)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation', ...(opts.private ? ['--private'] : []), ...(opts.args ?? [])] },
      })
      .build();
    await driver.manage().setTimeouts({ script: 30_000, pageLoad: 30_000 });
  } catch (e) {
    proc.kill();
    throw e;
  }
  // One WebDriver session has one current window: every page operation switches to its own
  // window first, so operations are queued one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(handle: string, fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      await driver.switchTo().window(handle);
      return fn();
    });
    queue = run.catch(() => {});
    return run;
  };
  const home = await driver.getWindowHandle(); // kept open so closing a page never ends the session
  const pages = new Set<TrackedPage>();
  const sink: string[] = [];
  return {
    name: 'webkit',
    async newPage() {
      const handle = await serial(home, async () => {
        await driver.switchTo().newWindow('tab');
        return driver.getWindowHandle();
      });
      const page = wrapPage(
        {
          goto: (u) => serial(handle, () => driver.get(u)),
          run: (source, arg) => serial(handle, () => driver.executeScript(`return ${source}(${JSON.stringify(arg)})`)),
          reload: () => serial(handle, () => driver.navigate().refresh()),
          close: () => serial(handle, () => driver.close()),
        },
        sink,
        () => pages.delete(page),
      );
      pages.add(page);
      return page;
    },
    async errors() {
      for (const p of pages) await p.collect();
      return sink.splice(0);
    },
    async close() {
      try {
        await driver.quit();
      } finally {
        proc.kill();
      }
    },
  };
}
