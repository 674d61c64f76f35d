// The engines a cross-engine test runs in: all three by default, or E2E_ENGINES=chromium,firefox.
import { launchChromium } from './chromium';
import { launchFirefox } from './firefox';
import { ENGINE_NAMES, type Engine, type EngineName } from './types';
import { launchWebKit } from './webkit';

export * from './types';

export interface LaunchOptions {
  /** Private browsing: Chromium off-the-record, Firefox private windows, MiniBrowser --private. */
  private?: boolean;
}

const LAUNCH: Record<EngineName, (o: LaunchOptions) => Promise<Engine>> = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit };

/** The engines selected by E2E_ENGINES (comma-separated); an unknown name is an error, not a skip. */
export function selectedEngines(env = process.env.E2E_ENGINES): EngineName[] {
  if (!env) return [...ENGINE_NAMES];
  const names = env.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names)
    if (!ENGINE_NAMES.includes(n as EngineName)) throw new Error(`E2E_ENGINES: unknown engine ${n} (expected ${ENGINE_NAMES.join(', ')})`);
  return names as EngineName[];
}

export const launchEngine = (name: EngineName, opts: LaunchOptions = {}) => LAUNCH[name](opts);
