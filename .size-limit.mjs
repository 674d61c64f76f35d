// Size budgets, enforced by `npm run size` (in `npm test`): one entry per script-tag file (the
// bundle and each add-on beside it) and per public import. Limits are the measured figures + ~2%.

// A bundler splits dynamic imports (private reporting, the CMP adapters, encryption at rest) into
// chunks the browser fetches only when they are configured: the eager figures leave them out.
const lazyChunks = {
  name: 'lazy-chunks',
  setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined)),
};
const eager = (config) => ({ ...config, plugins: [...(config.plugins ?? []), lazyChunks] });
const tag = (name, path, limit) => ({ name, path, limit, gzip: true, disablePlugins: ['@size-limit/esbuild'] });

export default [
  tag('IIFE bundle cohortkit.iife.js (script tag: consent, segments, track; idb inside; add-ons below load on demand)', 'dist/cohortkit.iife.js', '19.7 kB'), // → 19.7: SHA-256 for the ledger loaded as an add-on where WebCrypto's digest is missing (plain HTTP) (+0.07 kB); → 19.6: the add-on loader's Trusted Types policy and a synchronously failed load no longer cached for good (+0.16 kB), Web Locks denied (a sandboxed iframe) no longer failing createClient (+0.05 kB); → 19.4: the second trust audit (+40 B: stored interests judged by the options' purposes, consent reading own keys) and a keyed database staying encrypted for a page without encryptAtRest (+70 B); 21.1 → 18.8: decide() and the slots became the add-on cohortkit-personalize.js (−1.56 kB), the context reader cohortkit-context.js (−0.93 kB); → 18.7: interests.declare() became cohortkit-interests.js (−0.19 kB); the kept and claimed stamp took +0.21 kB of it back (18.65 kB); → 19.3: the eleventh stop's contract-audit fixes (+0.55 kB: the tag queue read defensively +0.22, close() letting calls finish, a ledger cut short never believed, forget() from memory, hostile stored records and option values, decide() state under its segment's purposes)
  tag('IIFE add-on cohortkit-reporting.js (private reporting: cohorts, LDP, outbox, transport; loaded when report or cohorts is configured)', 'dist/cohortkit-reporting.js', '7.75 kB'), // 8.45 → 7.75: the add-on no longer bundles idb a second time (−0.79 kB)
  tag('IIFE add-on cohortkit-interop.js (TCF, Consent Mode, GPP and interop validation; loaded when interop is configured)', 'dist/cohortkit-interop.js', '2.8 kB'), // 2.77 → 2.8: shape() reads own keys only (a polluted Object.prototype adds no option)
  tag('IIFE add-on cohortkit-personalize.js (decide, caps, holdouts, exposures, slots; loaded on the first decide or for a page with a slot)', 'dist/cohortkit-personalize.js', '3.4 kB'), // 3.2 → 3.4: exposures counted before any await, state stored under its segment's purposes, exportData
  tag('IIFE add-on cohortkit-context.js (the visitor context: device, channel, hour, weekday, language, referrer; loaded when a segment has a context rule)', 'dist/cohortkit-context.js', '1.35 kB'),
  tag('IIFE add-on cohortkit-interests.js (declare() of the declared interests: the ids checked, the all-or-nothing write; loaded on the first declare())', 'dist/cohortkit-interests.js', '0.85 kB'),
  tag('IIFE add-on cohortkit-sha256.js (SHA-256 in JavaScript for the consent ledger; loaded only on a page without crypto.subtle: plain HTTP)', 'dist/cohortkit-sha256.js', '0.7 kB'),
  tag('IIFE add-on cohortkit-encrypt.js (encryption at rest; loaded when encryptAtRest is set)', 'dist/cohortkit-encrypt.js', '2.8 kB'), // 2.6 → 2.75: compare-and-write and the one-transaction snapshot under encryption (+160 B; encrypted track() 1.80× → 0.99× of plain); → 2.8: records it cannot open deleted by the next write, the clear key deleted too, a foreign keys record refused (+100 B)
  { name: 'cohortkit: createClient (ESM, idb included; eager part, without the on-demand chunks)', path: 'dist/index.js', import: '{ createClient }', modifyEsbuildConfig: eager, limit: '18.8 kB', gzip: true }, // → 18.8: the SHA-256 chunk's loader, Web Locks denied (+0.1 kB); → 18.7: a keyed database stays encrypted (+70 B); → 18.6: stored interests judged by the options' purposes, the records that are not deleted (+40 B); 20.25 → 18.25: personalization and the context reader became chunks; → 18.1: declare() became one; → 18.5: the eleventh stop's contract-audit fixes
  { name: 'cohortkit: createClient with every on-demand chunk (reporting, CMP adapters, encryption, personalization, context, declare(), SHA-256 without WebCrypto)', path: 'dist/index.js', import: '{ createClient }', limit: '32.7 kB', gzip: true }, // → 32.7: the SHA-256 chunk (+0.5 kB, fetched only without crypto.subtle); → 32.1: a keyed database stays encrypted (+70 B in the eager part); → 31.9: encryption's hostile-record fixes and own-key reads in the adapters (+110 B); 29.7 → 30.6: two more chunks, each compressed on its own; → 30.7: the kept and claimed stamp (+0.21 kB: a lone tab's track puts no stamp, 1.70× → 1.35× a put); → 31.8: the eleventh stop's contract-audit fixes (each chunk compressed on its own)
  { name: 'cohortkit: CohortkitError, isCohortkitError', path: 'dist/index.js', import: '{ CohortkitError, isCohortkitError }', limit: '1.5 kB', gzip: true },
  { name: 'cohortkit: defineExperiment, readLift, planExperiment', path: 'dist/index.js', import: '{ defineExperiment, readLift, planExperiment }', limit: '7 kB', gzip: true }, // 6.5 → 7: readLift's A/A-unbiased lift (Z over a decorrelated D) and planExperiment's ε envelope
  { name: 'cohortkit: defineAudit, consentSpace', path: 'dist/index.js', import: '{ defineAudit, consentSpace }', limit: '2.9 kB', gzip: true }, // 2.8 → 2.9: a group on the audited segment, two groups on one segment and a duplicate purpose refused
  { name: 'cohortkit/ldp: createMechanism, chooseMechanism (subset selection included)', path: 'dist/ldp.js', import: '{ createMechanism, chooseMechanism }', limit: '1.8 kB', gzip: true },
  {
    name: 'cohortkit/server: createEstimator (estimator only, for a browser dashboard)',
    path: 'dist/server.js',
    import: '{ createEstimator }',
    ignore: ['node:crypto', 'node:http', 'node:path', 'node:fs/promises', 'node:os', 'node:worker_threads', 'pg', '@electric-sql/pglite'],
    limit: '4.5 kB',
    gzip: true,
  },
  { name: 'cohortkit/catalog: describeCatalog (validators and Markdown; not in the core bundle)', path: 'dist/catalog.js', import: '{ describeCatalog }', limit: '7.5 kB', gzip: true },
  { name: 'cohortkit/ui: definePreferenceCenter (separate from the core budget)', path: 'dist/ui.js', import: '{ definePreferenceCenter }', limit: '7 kB', gzip: true },
  tag('UI IIFE (script tag: global CohortkitUI, CSS inside)', 'dist/cohortkit-ui.iife.js', '7 kB'),
];
