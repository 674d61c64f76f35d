// The schema-walker validators against the frozen hand-written ones (test/fixtures/old-validate/):
// for valid configurations mutated at random (hostile leaves, removed keys, unknown and
// prototype-pollution keys, throwing getters and proxies, cycles, deep nesting) both accept with
// equal results or both reject with the same error (class, code, message).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as NEW from './fixtures/validate-entry-new';
import * as OLD from './fixtures/old-validate/entry';

type V = typeof NEW;

/** What a validator did: its result (functions as '[fn]') or its error; `value` is the result itself. */
function outcome(f: () => unknown, value?: { v?: unknown }): unknown {
  try {
    const v = f();
    if (value) value.v = v;
    return { ok: canon(v, new Map()) };
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown; message?: unknown; constructor?: { name?: string } };
    return { err: [err?.constructor?.name, err?.name, err?.code, err?.message] };
  }
}

function canon(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v == 'function') return '[fn]';
  if (typeof v != 'object' || v === null) return v;
  if (seen.has(v)) return seen.get(v);
  if (v instanceof Map) return { map: canon([...v], seen) };
  if (v instanceof Set) return { set: canon([...v], seen) };
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    v.forEach((x) => out.push(canon(x, seen)));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: canon((v as Record<string, unknown>)[k], seen), enumerable: true });
  return out;
}

/**
 * `f()` with a JSON.stringify that never throws (JSON, else the type: what src/validate.ts `show`
 * gives). The frozen validators quote bad values with JSON.stringify, which threw a raw TypeError
 * for BigInts, cycles and throwing toJSON / getters; the validators now describe them safely, at
 * the same path. Running the frozen copy this way is that change and nothing else.
 */
function safeJSON<T>(f: () => T): T {
  const orig = JSON.stringify;
  JSON.stringify = ((v: unknown, ...a: []) => {
    try {
      return orig(v, ...a) ?? typeof v;
    } catch {
      return typeof v;
    }
  }) as typeof JSON.stringify;
  try {
    return f();
  } finally {
    JSON.stringify = orig;
  }
}

type Outcome = { ok?: unknown; err?: unknown[] };

/**
 * The frozen validators' outcome as the current ones mean it (two more deliberate changes):
 * - the options root is named: `: could not be read` is now `options: could not be read`;
 * - an array's items are validated as each is read, so the first bad item fails at once (the frozen
 *   copy read every index first): where it failed `P[j]: could not be read`, the current one may
 *   fail first at an item before it, `P[i]…` with i < j (same class and code);
 * - `report.epsilon` takes ≥ 1e-6 (no estimator counts a smaller one): the frozen copy's
 *   `> 0` message reads `≥ 1e-6`, and a config it accepted with 0 < ε < 1e-6 is refused so.
 */
const FLOOR = 'report.epsilon: expected a finite number ≥ 1e-6';
function asNow(old: Outcome, now: Outcome | undefined): Outcome {
  const tiny = (old.ok as { epsilon?: unknown } | undefined)?.epsilon;
  if (typeof tiny == 'number' && tiny < 1e-6 && now?.err?.[3] === FLOOR) return now;
  const e = old.err;
  if (!e || typeof e[3] != 'string') return old;
  const err = [...e];
  if (e[3] == ': could not be read') err[3] = 'options: could not be read';
  if (e[3] == 'report.epsilon: expected a finite number > 0') err[3] = FLOOR;
  const m = /^(.*)\[(\d+)\]: could not be read$/.exec(err[3] as string);
  const n = now?.err;
  if (m && n && n[0] === err[0] && n[2] === err[2] && typeof n[3] == 'string') {
    const at = n[3].startsWith(`${m[1]}[`) && /^(\d+)\][.[:]/.exec(n[3].slice(m[1].length + 1));
    if (at && Number(at[1]) < Number(m[2])) return now!;
  }
  return { err };
}

/** NEW's steps against OLD's (see asNow). */
const expectSteps = (n: unknown[], old: unknown[]) =>
  expect(n).toEqual(old.map((s, i) => asNow(s as Outcome, n[i] as Outcome)));

/** createClient's validation order, as in src/client/index.ts. */
function pipeline(m: V, options: unknown, base: string | undefined): unknown[] {
  const steps: unknown[] = [];
  const run = <T>(f: () => T): T => {
    const value: { v?: unknown } = {};
    const r = outcome(f, value) as { ok?: unknown; err?: unknown };
    steps.push(r);
    if (r.err) throw r;
    return value.v as T;
  };
  try {
    const opts = run(() => m.normalizeOptions(options));
    const purposeIds = opts.purposes.map((p) => p.id);
    const catalog = run(() => m.compileSegments(opts.raw.segments ?? [], { purposes: purposeIds, interests: opts.interests.map((i) => i.id) }));
    run(() => m.validateInterop(opts.raw.interop, purposeIds));
    run(() => m.validateCohortSpaces(opts.raw.cohorts, catalog));
    if (opts.raw.report !== undefined) run(() => m.validateReportOptions(opts.raw.report, base));
  } catch {
    /* recorded */
  }
  return steps;
}

const BASE_OPTIONS = () => ({
  purposes: ['personalization', { id: 'measurement', description: 'M', retentionDays: 30 }, 'ads'],
  policyVersion: 'v1',
  retentionDays: 30,
  storage: 'memory',
  namespace: 'shop',
  respectGPC: true,
  persistStorage: false,
  encryptAtRest: false,
  now: () => 1,
  interests: [{ id: 'running', label: 'Running', purposes: ['personalization', 'ads'] }, { id: 'hiking', label: 'Hiking' }],
  segments: [
    { id: 'buyers', version: 2, description: 'Bought', goal: 'g', purposes: ['personalization', 'measurement'], sensitive: false, minEvidence: 1, rule: { event: 'purchase', where: { plan: 'pro', price: { gte: 1, lte: 9 }, tier: { in: ['a', 1, true] } }, count: { gte: 2 }, within: '7d', lastSeen: { within: '1d' }, firstSeen: { olderThan: '2d' } } },
    { id: 'mobile', description: 'Mobile', rule: { all: [{ context: 'device', in: ['mobile', 'tablet'] }, { context: 'language', in: ['EN-us', 'de'] }, { context: 'hour', in: [0, 23] }] } },
    { id: 'mixed', description: 'Mixed', purposes: ['ads'], rule: { any: [{ segment: 'buyers' }, { not: { declared: 'running' } }, { event: 'view', lastSeen: { olderThan: '30m' } }] } },
    { id: 'fans', description: 'Fans', sensitive: true, rule: { declared: 'hiking' } },
  ],
  cohorts: [{ id: 'buy', version: 1, description: 'Buyers', cohorts: [{ id: 'b', segment: 'buyers' }, { id: 'm', segment: 'mobile' }], fallback: 'rest' }],
  report: { endpoint: 'https://example.test/v1/reports?x=1', epsilon: 1, epoch: 'week', mechanism: 'olh', budget: 2, lifetimeBudget: 10, consentRates: 'consented' },
  interop: { tcf: { map: { personalization: [1, 3], measurement: [7] }, vendorId: 755 }, consentMode: { mirror: true, read: false }, gpp: { map: { ads: ['usnat.SaleOptOut', 'usca.SharingOptOut.1'] } } },
});

const BASE_DECIDE = () => ({ slot: 'hero', variants: [{ segment: 'buyers', value: 1 }, { segment: 'mobile', value: undefined }], fallback: 0, holdout: 0.1, cap: { max: 3, per: '1d' }, allowSensitive: false });
const BASE_TRACK = () => ({ event: 'purchase', props: { plan: 'pro', price: 3, ok: true } });

const throwingGetter = () => ({
  enumerable: true,
  configurable: true,
  get() {
    throw new Error('boom');
  },
});
const hostileProxy = (trap: 'ownKeys' | 'getPrototypeOf' | 'get' | 'getOwnPropertyDescriptor') =>
  new Proxy({ a: 1 }, { [trap]: () => { throw new Error(`proxy ${trap}`); } });

/** A leaf that is wrong in some way, or right for some other field. */
const hostile = fc.oneof(
  fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withDate: true, withMap: true, withSet: true, withBoxedValues: true, withSparseArray: true }),
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -0, 0, 1, 1.5, 2 ** 53, 1e308, -1, 11, 12, 65535, 65536, 23, 24, 6, 7, 0.5, 2),
  fc.constantFrom<unknown>('', ' ', 'x'.repeat(100_000), 'a'.repeat(64), 'a'.repeat(65), 'A', 'a', '7d', '0d', '1.5h', '-1d', '1e3d', 'EN-us', 'zz-', 'mobile', 'desktop', 'search', 'none', 'personalization', 'measurement', 'ads', 'buyers', 'mobile', 'running', 'hiking', 'usnat.SaleOptOut', 'day', 'week', 'auto', 'ss', 'off', 'exempt', 'http://127.0.0.1:8080/r', 'http://localhost/r', 'http://[::1]/r', 'https://u:p@x.test/', 'http://example.test/', '/v1/reports', 'ftp://x', 'https://', 'indexeddb', '__proto__', 'constructor'),
  fc.constantFrom<unknown>(undefined, null, true, false, [], {}, [[]], [{}], Symbol('s'), () => 1, new Date(0), Object.create(null), Object.create({ inherited: 1 }), new (class Foo {})(), 1n),
  fc.constantFrom('ownKeys', 'getPrototypeOf', 'get', 'getOwnPropertyDescriptor').map((t) => ({ proxy: t })),
);

type Op =
  | { at: number; key: number; op: 'set'; v: unknown }
  | { at: number; key: number; op: 'delete' | 'getter' | 'cycle' | 'proxy-node' | 'nest' }
  | { at: number; key: number; op: 'add'; name: string; v: unknown };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ at: fc.nat(), key: fc.nat(), op: fc.constant('set' as const), v: hostile }) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), key: fc.nat(), op: fc.constantFrom('delete' as const, 'getter' as const, 'cycle' as const, 'proxy-node' as const, 'nest' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ at: fc.nat(), key: fc.nat(), op: fc.constant('add' as const), name: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'in', 'event', 'all', 'id', 'within', 'gte'), fc.string({ maxLength: 8 })), v: hostile }),
  },
);

/** Applies the ops to `root` (freshly built, so the old and the new validator each get their own copy). */
function mutate(root: Record<string, unknown>, ops: Op[]): unknown {
  // Hostile values are shared by the two copies: placed, never walked into (never mutated).
  const placed = new WeakSet<object>();
  for (const o of ops) {
    const nodes: Array<[object, object[]]> = [];
    const walk = (n: unknown, anc: object[]) => {
      if (typeof n != 'object' || n === null || placed.has(n) || anc.includes(n) || nodes.length > 200) return;
      let ks: string[];
      try {
        if (Object.getPrototypeOf(n) !== Object.prototype && !Array.isArray(n)) return;
        ks = Object.keys(n);
      } catch {
        return;
      }
      nodes.push([n, anc]);
      for (const k of ks) {
        const d = Object.getOwnPropertyDescriptor(n, k);
        if (d && 'value' in d) walk(d.value, [...anc, n]);
      }
    };
    walk(root, []);
    const [node, anc] = nodes[o.at % nodes.length];
    const ks = Object.keys(node);
    const k = Array.isArray(node) ? String(o.key % (node.length + 1)) : ks.length ? ks[o.key % ks.length] : 'x';
    const def = (name: string, value: unknown) => {
      try {
        Object.defineProperty(node, name, { value, enumerable: true, writable: true, configurable: true });
      } catch {
        /* e.g. an array's length set to NaN: skip the op */
      }
    };
    const place = (v: unknown) => (v && typeof v == 'object' && placed.add(v), v);
    const cur = () => {
      const d = Object.getOwnPropertyDescriptor(node, k);
      return d && 'value' in d ? d.value : undefined;
    };
    const leaf = (v: unknown) => (v && typeof v == 'object' && 'proxy' in v && typeof (v as { proxy: unknown }).proxy == 'string' && Object.keys(v).length == 1 ? hostileProxy((v as { proxy: 'get' }).proxy) : v);
    if (o.op == 'set') def(k, place(leaf(o.v)));
    else if (o.op == 'add') def(o.name, place(leaf(o.v)));
    else if (o.op == 'delete') delete (node as Record<string, unknown>)[k];
    else if (o.op == 'getter') {
      try {
        Object.defineProperty(node, k, throwingGetter());
      } catch {
        /* an array's length: skip */
      }
    }
    else if (o.op == 'cycle') def(k, anc.length ? anc[o.key % anc.length] : node);
    else if (o.op == 'proxy-node') def(k, place(new Proxy(Object(cur() ?? {}), { ownKeys: () => { throw new Error('keys'); } })));
    else {
      // nest: `{ not: … }` around the value, many levels deep
      let v: unknown = cur();
      for (let i = o.key % 40; i >= 0; i--) v = { not: v };
      def(k, v);
    }
  }
  return root;
}

// At most one cycle: two cycles through `all`/`any` items make a rule tree that doubles per level
// (2^32 at the depth limit) — as slow in the old validator as in the new one (see the report).
const ops = fc.array(op, { minLength: 1, maxLength: 4 }).filter((os) => os.filter((o) => o.op == 'cycle').length <= 1);
const bases = fc.constantFrom<string | undefined>(undefined, 'https://shop.test/page');

describe('schema walker ≡ the hand-written validators (frozen copy)', () => {
  it('the unmutated configurations are accepted by both, with equal results', () => {
    const n = pipeline(NEW, BASE_OPTIONS(), 'https://shop.test/');
    expect(n).toEqual(pipeline(OLD, BASE_OPTIONS(), 'https://shop.test/'));
    expect(n.every((s) => 'ok' in (s as object))).toBe(true);
    expect(outcome(() => NEW.validateDecideRequest(BASE_DECIDE()))).toEqual(outcome(() => OLD.validateDecideRequest(BASE_DECIDE())));
    expect(outcome(() => NEW.validateTrack('view', { a: 1 }))).toEqual({ ok: { event: 'view', props: { a: 1 } } });
  });

  it('createClient options: same acceptance, same results, same errors', () => {
    let rejected = 0;
    let runs = 0;
    const msgs = new Set<string>();
    fc.assert(
      fc.property(ops, bases, (o, base) => {
        runs++;
        const n = pipeline(NEW, mutate(BASE_OPTIONS(), o), base);
        const old = safeJSON(() => pipeline(OLD, mutate(BASE_OPTIONS(), o), base));
        expectSteps(n, old);
        if ((n[n.length - 1] as { err?: unknown }).err) rejected++;
        if (process.env.SHOW_MSGS) msgs.add(String(((n[n.length - 1] as { err?: unknown[] }).err ?? [])[3]).replace(/\d+/g, 'N').slice(0, 90));
      }),
      { numRuns: 3000 },
    );
    // The mutations must reach the validators' rejections, not only their happy path.
    expect(rejected).toBeGreaterThan(runs / 3);
    if (process.env.SHOW_MSGS) console.log([...msgs].sort().join('\n'));
  });

  it('whole options replaced by hostile values', () => {
    fc.assert(
      fc.property(hostile, (v) => {
        const h = (x: unknown) => (x && typeof x == 'object' && 'proxy' in x && Object.keys(x).length == 1 ? hostileProxy((x as { proxy: 'get' }).proxy) : x);
        expectSteps(pipeline(NEW, h(v), undefined), safeJSON(() => pipeline(OLD, h(v), undefined)));
      }),
      { numRuns: 500 },
    );
  });

  it('decide() requests: same results and errors', () => {
    fc.assert(
      fc.property(ops, (o) => {
        expectSteps([outcome(() => NEW.validateDecideRequest(mutate(BASE_DECIDE(), o)))], [safeJSON(() => outcome(() => OLD.validateDecideRequest(mutate(BASE_DECIDE(), o))))]);
      }),
      { numRuns: 1500 },
    );
  });

  it('track() arguments: same results and errors', () => {
    fc.assert(
      fc.property(ops, (o) => {
        const a = mutate(BASE_TRACK(), o) as { event: unknown; props: unknown };
        const b = mutate(BASE_TRACK(), o) as { event: unknown; props: unknown };
        expect(outcome(() => NEW.validateTrack(a.event, a.props))).toEqual(outcome(() => OLD.validateTrack(b.event, b.props)));
      }),
      { numRuns: 1000 },
    );
  });
});
