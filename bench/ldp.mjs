// LDP benchmark: estimator throughput and accuracy against theory.
// Run after `npm run build`: node bench/ldp.mjs
import { createMechanism, chooseMechanism } from '../dist/ldp.js';
import { createEstimator } from '../dist/server.js';

const MECHS = ['grr', 'oue', 'olh', 'ss'];
const now = () => performance.now();
const space = (k) => ({
  id: 'bench',
  description: 'benchmark space',
  cohorts: Array.from({ length: k - 1 }, (_, i) => ({ id: `c${i}`, segment: `s${i}` })),
  fallback: 'other',
});
/** Real crypto randomness, drawn from crypto.getRandomValues 64 KiB at a time (fewer calls, same source). */
const pooledCrypto = () => {
  const pool = new Uint8Array(65536);
  let pos = pool.length;
  return (bytes) => {
    if (bytes.length > pool.length) {
      for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      return;
    }
    if (pos + bytes.length > pool.length) {
      crypto.getRandomValues(pool);
      pos = 0;
    }
    bytes.set(pool.subarray(pos, pos + bytes.length));
    pos += bytes.length;
  };
};
const random = pooledCrypto();
const randomIds = (n) => {
  const bytes = new Uint8Array(16 * n);
  for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return Array.from({ length: n }, (_, i) => Buffer.from(bytes.subarray(16 * i, 16 * i + 16)).toString('base64url'));
};
/** Exact counts summing to n, Zipf-like (weight 1/(i+1)). */
const zipfCounts = (n, k) => {
  const w = Array.from({ length: k }, (_, i) => 1 / (i + 1));
  const total = w.reduce((s, x) => s + x, 0);
  const c = w.map((x) => Math.floor((n * x) / total));
  c[0] += n - c.reduce((s, x) => s + x, 0);
  return c;
};
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// (1) Throughput of add(): k = 32, ε = 1, 100k reports, against plain object-count increments.
{
  const k = 32;
  const n = 100_000;
  const rows = [];
  for (const mechanism of MECHS) {
    const m = createMechanism({ k, epsilon: 1, mechanism, random });
    const ids = randomIds(n);
    const reports = ids.map((id, i) => ({ v: 1, id, space: 'bench', spaceVersion: 1, epoch: 20415, k, mechanism, epsilon: 1, ...m.perturb(i % k) }));
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const est = createEstimator({ spaces: [space(k)] });
      const t = now();
      for (const r of reports) if (!est.add(r).ok) throw new Error('rejected');
      best = Math.min(best, now() - t);
    }
    let base = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const counts = {};
      const t = now();
      for (const r of reports) counts[r.space] = (counts[r.space] ?? 0) + 1;
      base = Math.min(base, now() - t);
    }
    rows.push({
      mechanism,
      'add() reports/s': fmt(n / (best / 1000)),
      'baseline incr/s': fmt(n / (base / 1000)),
      'slowdown ×': fmt(best / base, 1),
    });
  }
  console.log(`\nEstimator add() throughput (k = 32, ε = 1, ${fmt(100_000)} reports, best of 3; baseline: counts[space]++)`);
  console.table(rows);
}

// (2) Accuracy: measured MSE ÷ theoretical variance, pooled over cohorts: Σ_i (est_i − n_i)² / Σ_i Var_i,
// one column per mechanism (1.000 = at the bound), and the variance subset selection saves.
{
  const KS = [4, 8, 16, 32, 64, 1024];
  const EPS = [0.5, 1, 2, 4];
  const budgetMs = Number(process.env.BENCH_CELL_MS ?? 500); // per cell; 96 cells ≈ 50 s
  const n = 500;
  const rows = [];
  for (const k of KS) {
    const counts = zipfCounts(n, k);
    const sp = space(k);
    for (const epsilon of EPS) {
      const auto = chooseMechanism(k, epsilon);
      const row = { k, ε: epsilon, auto };
      const unit = {};
      for (const mechanism of MECHS) {
        const m = createMechanism({ k, epsilon, mechanism, random });
        unit[mechanism] = m.variance(1);
        const vSum = counts.reduce((s, nv) => s + m.variance(n, nv), 0);
        const xs = [];
        const t0 = now();
        while ((now() - t0 < budgetMs || xs.length < 20) && xs.length < 5000) {
          const est = createEstimator({ spaces: [sp], dedupeWindow: 0 });
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < counts[i]; j++) {
              est.add({ v: 1, id: 'AAAAAAAAAAAAAAAAAAAAAA', space: 'bench', spaceVersion: 1, epoch: 1, k, mechanism, epsilon, ...m.perturb(i) });
            }
          }
          const res = est.estimate('bench');
          xs.push(res.cohorts.reduce((s, c, i) => s + (c.estimate - counts[i]) ** 2, 0) / vSum);
        }
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const se = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) / xs.length);
        row[`${mechanism} MSE/Var`] = `${mean.toFixed(3)} ±${se.toFixed(3)}`;
      }
      // Theory: Var_ss ÷ Var_olh (OUE has OLH's variance); below 1 = SS saves that share.
      row['ss ÷ olh (theory)'] = (unit.ss / unit.olh).toFixed(3);
      row['ss ÷ grr (theory)'] = (unit.ss / unit.grr).toFixed(3);
      rows.push(row);
    }
  }
  console.log(`\nAccuracy: measured MSE ÷ theoretical variance per mechanism (n = ${n} reports per trial, Zipf cohorts, crypto randomness, pooled over cohorts, ± one standard error; 1.000 = at the bound)`);
  console.table(rows);
}
