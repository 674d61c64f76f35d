import { compileSegments } from '../../src/segments';
import type { RandomSource } from '../../src/privacy';
import type { SegmentDefinition } from '../../src/types';

const seg = (id: string, extra: Partial<SegmentDefinition> = {}): SegmentDefinition => ({
  id,
  description: `segment ${id}`,
  rule: { event: `${id}_event` },
  ...extra,
});

/** A catalog with plain, multi-purpose, sensitive and sensitive-by-reference segments. */
export const catalog = compileSegments(
  [
    seg('buyer'),
    seg('browser'),
    seg('ads_fan', { purposes: ['ads'] }),
    seg('health', { sensitive: true }),
    seg('via_health', { rule: { segment: 'health' } }),
    seg('via_ads', { rule: { segment: 'ads_fan' } }),
  ],
  { purposes: ['personalization', 'measurement', 'ads'] },
);

/** A deterministic RandomSource (xorshift32), for reproducible tests only. */
export function seeded(seed: number): RandomSource {
  let x = seed >>> 0 || 1;
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      bytes[i] = x & 255;
    }
  };
}
