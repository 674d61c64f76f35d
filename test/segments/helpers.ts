// Test helpers: build rollups from a flat event list, the way the signals store keeps them.
import { MAX_TIMES, type EvaluationInput, type SignalRollup, type VisitorContext } from '../../src/segments';
import type { Scalar } from '../../src/types';

export const NOW = Date.UTC(2025, 0, 15, 12);
export const DAY = 86_400_000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY };

/** "7d", "7d-1ms", "-1m", "0ms", "6d+23h" → ms. */
export function ms(text: string): number {
  let total = 0;
  const rest = text.replace(/([+-]?)(\d+(?:\.\d+)?)(ms|s|m|h|d)/g, (_, sign: string, n: string, unit: string) => {
    total += (sign === '-' ? -1 : 1) * Number(n) * UNITS[unit];
    return '';
  });
  if (rest) throw new Error(`bad duration ${text}`);
  return total;
}

export interface TestEvent {
  event: string;
  at: number;
  props?: Record<string, Scalar>;
}

/** Groups events by name, identical props and UTC day; keeps the most recent MAX_TIMES timestamps. */
export function toRollups(events: TestEvent[]): SignalRollup[] {
  const rollups = new Map<string, SignalRollup>();
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    const props = e.props ?? {};
    const day = Math.floor(e.at / DAY);
    const key = JSON.stringify([e.event, day, Object.keys(props).sort().map((k) => [k, props[k]])]);
    const r = rollups.get(key);
    if (!r) rollups.set(key, { event: e.event, props, day, count: 1, first: e.at, last: e.at, times: [e.at] });
    else {
      r.count++;
      r.last = e.at;
      r.times.push(e.at);
      if (r.times.length > MAX_TIMES) r.times.shift();
    }
  }
  return [...rollups.values()];
}

export const CONTEXT: VisitorContext = {
  device: 'desktop',
  channel: 'direct',
  hour: 12,
  weekday: 3,
  language: 'en-us',
  referrer: 'none',
};

export function makeInput(
  rollups: SignalRollup[],
  now: number,
  granted: string[],
  context: Partial<VisitorContext> = {},
): EvaluationInput {
  return { rollups, now, context: { ...CONTEXT, ...context }, isGranted: (p) => granted.includes(p) };
}
