// Fast experiment simulation with the real mechanism and the real estimator but no clients:
// each visitor's cell (arm × outcome, or unexposed) is drawn from a seeded source, randomized by
// createMechanism (seeded too, so runs repeat), counted by eachSupport into one StatsRow (the
// estimator's own sufficient statistics) and estimated by estimateFromRows. Used where many repetitions are needed (coverage, power).
import { createMechanism, eachSupport } from '../../src/privacy';
import { estimateFromRows, type StatsRow } from '../../src/server';
import { seededRandom } from '../privacy/helpers';
import { EXP, seededUniform } from './sim';

export interface Cells {
  /** Share of reporters in an arm (the rest are unexposed). */
  eligible: number;
  holdout: number;
  /** Conversion in the holdout and in the treated arm. */
  holdoutRate: number;
  treatedRate: number;
  epsilon: number;
  mechanism?: 'grr' | 'oue' | 'olh' | 'ss';
}

/** One simulated epoch of `n` reporters: the estimate of the experiment space. */
export function simulateEstimate(c: Cells, n: number, seed: number) {
  const u = seededUniform(seed);
  const m = createMechanism({ k: 5, epsilon: c.epsilon, mechanism: c.mechanism ?? 'auto', random: seededRandom(seed ^ 0x5bd1e995) });
  const g = m.g ?? 0;
  const row: StatsRow = { space: EXP.space.id, spaceVersion: 1, epoch: 1, mechanism: m.name, k: 5, epsilon: c.epsilon, g, n: 0, support: [0, 0, 0, 0, 0] };
  const count = (i: number) => void row.support[i]++;
  const name = { mechanism: m.name };
  for (let i = 0; i < n; i++) {
    let index = 4;
    if (u() < c.eligible) {
      const held = u() < c.holdout;
      const converted = u() < (held ? c.holdoutRate : c.treatedRate);
      index = (held ? 0 : 2) + (converted ? 0 : 1);
    }
    eachSupport({ ...name, ...m.perturb(index) } as never, 5, count);
    row.n++;
  }
  return estimateFromRows([row], EXP.space);
}
