// A/A coverage of readLift's 95% interval through real clients (dist/): one memory client per
// visitor, real consent, track, decide() and flush(), reports into createEstimator. A statistical
// run, not a timing: it prints the measured coverage. Larger than the test suite can afford.
//   node bench/experiments.mjs [--runs 100] [--visitors 400] [--epsilon 3]
import { createClient, defineExperiment } from '../dist/index.js';
import { createEstimator, readLift, planExperiment } from '../dist/server.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
// 100 runs by default: at 40 the binomial margin (±6.8 points) let one unlucky draw read 82.5%.
const runs = arg('runs', 100);
const visitors = arg('visitors', 400);
const epsilon = arg('epsilon', 3);
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 12);
const exp = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase', within: '30d' } });
const segments = [{ id: 'fan', description: 'reads articles', rule: { event: 'article_view' } }, ...exp.segments];

/** sfc32, seeded: the simulation's own choices (who is a member, who converts). */
function seeded(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    const t = (((a + b) | 0) + (d = (d + 1) | 0)) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

const sent = [];
globalThis.fetch = async (_url, init) => {
  const body = JSON.parse(init.body);
  sent.push(...(Array.isArray(body) ? body : [body]));
  return new Response('{}', { status: 202 });
};

async function visitor(u) {
  let t = START;
  const c = await createClient({ storage: 'memory', now: () => t, segments, cohorts: [exp.space], report: { endpoint: 'http://127.0.0.1:9/r', epsilon } });
  await c.consent.update({ personalization: true, measurement: true });
  const member = u() < 0.5;
  if (member) await c.track('article_view');
  await c.decide({ slot: 'hero', holdout: 0.5, variants: [{ segment: 'fan', value: 'A' }], fallback: 'F' });
  if (u() < (member ? 0.4 : 0.05)) await c.track('purchase');
  t += DAY;
  await c.flush();
  await c.close();
}

const day1 = Math.floor(START / DAY) + 1;
let covered = 0;
let sumSq = 0;
let sumVar = 0;
const t0 = performance.now();
for (let r = 0; r < runs; r++) {
  sent.length = 0;
  const u = seeded(1000 + r);
  for (let i = 0; i < visitors; i++) await visitor(u);
  const est = createEstimator({ spaces: [exp.space] });
  for (const rep of sent) if (rep.space === exp.space.id && rep.epoch === day1) est.add(rep);
  const l = readLift(est.estimate(exp.space.id));
  if (l.ci95[0] <= 0 && 0 <= l.ci95[1]) covered++;
  sumSq += l.lift ** 2;
  sumVar += l.stderr ** 2;
}
const ms = performance.now() - t0;
const se = Math.sqrt((0.95 * 0.05) / runs);
console.log(`A/A through real clients: ${runs} runs × ${visitors} visitors, ε = ${epsilon}, members 50% (40% convert), others 5%`);
console.log(`  coverage of the 95% interval: ${covered}/${runs} = ${((100 * covered) / runs).toFixed(1)}% (±${(196 * se).toFixed(1)} points at 95% if the truth is 95%)`);
console.log(`  mean lift² ${(sumSq / runs).toFixed(5)} vs mean reported variance ${(sumVar / runs).toFixed(5)}`);
const plan = planExperiment({ baseline: 0.4, lift: 0.15, epsilon, eligibleShare: 0.5 });
console.log(`  planExperiment(+15 pp over 40%, ε = ${epsilon}, half eligible): ${plan.visitors} eligible, ${plan.reporters} reporters (${plan.withoutPrivacy} without privacy)`);
console.log(`  ${(ms / (runs * visitors)).toFixed(2)} ms per client`);
