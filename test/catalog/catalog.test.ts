// describeCatalog (cohortkit/catalog) and client.catalog(): every field, validation as createClient, Markdown.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCatalog, groupByGoal } from '../../src/catalog';
import { escapeText } from '../../src/catalog/markdown';
import { createClient, type CatalogEntry, type ClientOptions } from '../../src/index';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const shop = (): ClientOptions => JSON.parse(readFileSync(join(FIXTURES, 'shop.json'), 'utf8'));

const entry = (e: Partial<CatalogEntry> & Pick<CatalogEntry, 'id' | 'description'>): CatalogEntry => ({
  version: 1,
  purposes: ['personalization'],
  sensitive: false,
  contextOnly: false,
  retentionDays: 14,
  reads: [],
  references: [],
  spaces: [],
  context: [],
  minEvidence: 0,
  ...e,
});

const EXPECTED: CatalogEntry[] = [
  entry({ id: 'browsers', description: 'Browsed two sections in a week', goal: 'acquisition', reads: [{ event: 'page_view', props: ['section'] }], spaces: ['lifecycle'] }),
  entry({
    id: 'cart',
    description: 'Put something worth 10+ in the cart, never bought',
    goal: 'activation',
    reads: [{ event: 'add_to_cart', props: ['price'] }, { event: 'purchase', props: [] }],
    spaces: ['lifecycle'],
    minEvidence: 2,
  }),
  entry({ id: 'loyal', version: 3, description: 'Bought three times', goal: 'retention', purposes: ['personalization', 'measurement'], reads: [{ event: 'purchase', props: [] }], spaces: ['lifecycle', 'device'] }),
  entry({
    id: 'lapsed',
    description: 'Loyal, but no purchase for 30 days',
    goal: 'reactivation',
    purposes: ['personalization', 'measurement'],
    reads: [{ event: 'purchase', props: [] }],
    references: ['loyal'],
    spaces: ['lifecycle'],
  }),
  entry({ id: 'health', description: 'Reads the health section', sensitive: true, reads: [{ event: 'page_view', props: ['section'] }] }),
  // Sensitivity, purposes, sources and retention all come through the reference.
  entry({
    id: 'health-ads',
    description: '# Health ads\nfor *sensitive* readers',
    goal: 'upsell',
    purposes: ['ads', 'personalization'],
    sensitive: true,
    reads: [{ event: 'page_view', props: ['section'] }],
    references: ['health'],
  }),
  entry({ id: 'mobile', description: 'On a phone in the evening', purposes: [], contextOnly: true, retentionDays: 0, spaces: ['device'], context: ['device', 'hour'] }),
  entry({
    id: 'mobile-ads',
    description: 'Clicked an ad on a phone',
    goal: 'acquisition',
    purposes: ['ads'],
    retentionDays: 3,
    reads: [{ event: 'ad_click', props: [] }],
    references: ['mobile'],
    spaces: ['device'],
    context: ['device', 'hour'],
  }),
];

describe('describeCatalog', () => {
  it('documents every segment: version, goal, effective purposes and sensitivity, reads, references, spaces, retention', () => {
    const d = describeCatalog(shop());
    expect(d.segments).toEqual(EXPECTED);
    // goal is absent (not undefined) when the definition has none
    expect(Object.keys(d.segments.find((s) => s.id === 'health')!)).not.toContain('goal');
  });

  it('documents every cohort space with k, cohorts, fallback and the purposes its reports rely on', () => {
    expect(describeCatalog(shop()).spaces).toEqual([
      {
        id: 'lifecycle',
        version: 1,
        description: 'Where the visitor is in the lifecycle',
        k: 5,
        cohorts: [
          { id: 'new', segment: 'browsers' },
          { id: 'active', segment: 'cart' },
          { id: 'loyal', segment: 'loyal' },
          { id: 'lapsed', segment: 'lapsed' },
        ],
        fallback: 'other',
        purposes: ['measurement', 'personalization'],
      },
      {
        id: 'device',
        version: 2,
        description: 'Phones and ads',
        k: 4,
        cohorts: [
          { id: 'mobile-ads', segment: 'mobile-ads' },
          { id: 'mobile', segment: 'mobile' },
          { id: 'loyal-too', segment: 'loyal' },
        ],
        fallback: 'desktop',
        purposes: ['measurement', 'ads', 'personalization'],
      },
    ]);
  });

  it('reads are what minimization keeps: the union of the property keys every segment reads for the event', () => {
    const d = describeCatalog({
      segments: [
        { id: 'a', description: 'a', rule: { event: 'view', where: { section: 'x' } } },
        { id: 'b', description: 'b', rule: { event: 'view', where: { plan: { in: ['pro'] }, price: { lte: 3 } } } },
        { id: 'c', description: 'c', rule: { event: 'view' } },
      ],
    });
    expect(d.segments.map((s) => s.reads)).toEqual(Array(3).fill([{ event: 'view', props: ['plan', 'price', 'section'] }]));
  });

  it('retention follows the purposes: the smallest of the default and each purpose, as the client stores it', () => {
    const seg = { id: 's', description: 'd', purposes: ['personalization', 'measurement'], rule: { event: 'e' } };
    expect(describeCatalog({ segments: [seg] }).segments[0].retentionDays).toBe(30);
    expect(describeCatalog({ retentionDays: 9, segments: [seg] }).segments[0].retentionDays).toBe(9);
    expect(describeCatalog({ retentionDays: 9, purposes: [{ id: 'personalization', retentionDays: 2 }, 'measurement'], segments: [seg] }).segments[0].retentionDays).toBe(2);
  });

  it('report.consentRates: the built-in consent space is documented with the declared ones', () => {
    const o = { purposes: ['personalization', 'measurement'], report: { endpoint: 'https://c.example/r', consentRates: 'exempt' as const } };
    const d = describeCatalog(o);
    expect(d.spaces).toHaveLength(1);
    expect(d.spaces[0]).toMatchObject({ id: 'consent', version: 1, k: 9, purposes: [], fallback: 'personalization:denied|measurement:denied' });
    expect(d.spaces[0].cohorts[4]).toEqual({ id: 'personalization:granted|measurement:granted', segment: 'consent' });
    expect(d.markdown).toContain('### `consent` · version 1');
    expect(d.markdown).toContain('audience-measurement exemption');
    expect(d.markdown).toContain('| 4 | `personalization:granted\\|measurement:granted` | consent state |  |');
    for (const line of d.markdown.split('\n').filter((l) => /^\| \d/.test(l))) expect(line.replace(/\\\|/g, '').split('|').length - 2, line).toBe(4);
    expect(describeCatalog({ ...o, report: { ...o.report, consentRates: 'consented' } }).spaces[0].purposes).toEqual(['measurement']);
    expect(describeCatalog({ ...o, report: { ...o.report, consentRates: 'off' } }).spaces).toEqual([]);
  });

  it('an empty configuration is documented too', () => {
    const d = describeCatalog();
    expect([d.segments, d.spaces]).toEqual([[], []]);
    expect(d.markdown).toContain('No segments declared.');
    expect(d.markdown).toContain('No cohort spaces declared');
  });

  it('returns fresh data: changing a result changes nothing else', () => {
    const o = shop();
    const a = describeCatalog(o);
    a.segments[0].reads[0].props.push('x');
    a.spaces[0].cohorts[0].id = 'mutated';
    const b = describeCatalog(o);
    expect(b.segments).toEqual(EXPECTED);
    expect(b.spaces[0].cohorts[0].id).toBe('new');
  });
});

describe('client.catalog()', () => {
  it('is synchronous and equals describeCatalog(options).segments for the same options', async () => {
    const c = await createClient({ ...shop(), storage: 'memory' });
    const list = c.catalog();
    expect(Array.isArray(list)).toBe(true);
    expect(list).toEqual(describeCatalog(shop()).segments);
    list[0].spaces.length = 0;
    expect(c.catalog()[0].spaces).toEqual(['lifecycle']);
    // It describes the configuration, not the visitor: consent and signals change nothing.
    await c.consent.update({ personalization: true, measurement: true, ads: true });
    await c.track('page_view', { section: 'health', extra: 'dropped' });
    expect(c.catalog()).toEqual(EXPECTED);
    await c.close();
  });
});

/** The outcome of createClient(options) and describeCatalog(options): 'ok' or the error's code and message. */
async function outcomes(options: unknown) {
  const a = await createClient(options as ClientOptions).then(
    async (c) => (await c.close(), 'ok'),
    (e) => `${e.code}: ${e.message}`,
  );
  let b: string;
  try {
    describeCatalog(options as ClientOptions);
    b = 'ok';
  } catch (e) {
    b = `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
  return [a, b];
}

describe('invalid options: exactly as createClient', () => {
  const base = shop();
  const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
  const getter = { storage: 'memory', get segments(): never { throw new Error('getter'); } };
  const cases: Array<[string, unknown]> = [
    ['not an object', 'options'],
    ['array', []],
    ['unknown key', { storage: 'memory', segmnts: [] }],
    ['bad purpose', { storage: 'memory', purposes: [{ id: 'Bad Id' }] }],
    ['duplicate segment', { storage: 'memory', segments: [base.segments![0], base.segments![0]] }],
    ['undeclared purpose', { storage: 'memory', segments: [{ ...base.segments![0], purposes: ['ads'] }] }],
    ['reference cycle', { storage: 'memory', segments: [{ id: 'a', description: 'a', rule: { segment: 'b' } }, { id: 'b', description: 'b', rule: { segment: 'a' } }] }],
    ['unknown cohort segment', { ...base, storage: 'memory', cohorts: [{ id: 's', description: 'd', cohorts: [{ id: 'c', segment: 'nope' }], fallback: 'f' }] }],
    ['sensitive in a space', { ...base, storage: 'memory', cohorts: [{ id: 's', description: 'd', cohorts: [{ id: 'c', segment: 'health' }], fallback: 'f' }] }],
    ['bad interop', { storage: 'memory', interop: { tcf: { map: { personalization: [99] } } } }],
    ['bad endpoint', { storage: 'memory', report: { endpoint: 'ftp://x' } }],
    ['bad epsilon', { storage: 'memory', report: { endpoint: 'https://c.example/v1', epsilon: -1 } }],
    ['consent space id reserved', { ...base, storage: 'memory', report: { endpoint: 'https://c.example/r', consentRates: 'consented' }, cohorts: [{ id: 'consent', description: 'd', cohorts: [{ id: 'x', segment: 'loyal' }], fallback: 'f' }] }],
    ['consent rates of 7 purposes', { storage: 'memory', purposes: ['a', 'b', 'c', 'd', 'e', 'f', 'measurement'], report: { endpoint: 'https://c.example/r', consentRates: 'exempt' } }],
    ['bad consentRates', { storage: 'memory', report: { endpoint: 'https://c.example/r', consentRates: 'yes' } }],
    ['hostile proxy', hostile],
    ['throwing getter', getter],
  ];
  it.each(cases)('%s', async (_name, options) => {
    const [a, b] = await outcomes(options);
    expect(a).toMatch(/^invalid-options: /);
    expect(b).toBe(a);
  });

  it('a relative endpoint resolves against the page as in createClient (none in Node: invalid there)', async () => {
    const o = { storage: 'memory', report: { endpoint: '/v1/reports' } };
    const [a, b] = await outcomes(o);
    expect(b).toBe(a);
    expect(a).toBe(typeof location === 'undefined' ? 'invalid-options: report.endpoint: expected an absolute URL' : 'ok');
  });

  it('agrees with createClient on arbitrary options (property)', async () => {
    const anyValue = fc.oneof(fc.constant(undefined), fc.anything({ maxDepth: 2 }));
    const arb = fc.record(
      {
        purposes: fc.oneof(anyValue, fc.constant(['personalization', 'measurement']), fc.constant([{ id: 'personalization', retentionDays: 0 }])),
        segments: fc.oneof(anyValue, fc.constant(base.segments), fc.constant(base.segments!.slice(0, 2))),
        cohorts: fc.oneof(anyValue, fc.constant(base.cohorts), fc.constant([])),
        retentionDays: fc.oneof(anyValue, fc.integer({ min: -2, max: 40 })),
        report: fc.oneof(fc.constant(undefined), fc.constant({ endpoint: 'https://c.example/r', epsilon: 1 }), anyValue),
        namespace: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(arb, async (o) => {
        const [a, b] = await outcomes({ ...o, storage: 'memory' });
        expect(b).toBe(a);
      }),
      { numRuns: 150 },
    );
  });
});

describe('Markdown', () => {
  it('matches the checked-in document of the fixture', async () => {
    await expect(describeCatalog(shop()).markdown).toMatchFileSnapshot(join(FIXTURES, 'shop.md'));
  });

  it('documents every segment and space with its purpose, sources, sensitivity, retention, version and goal', () => {
    const md = describeCatalog(shop()).markdown;
    for (const s of EXPECTED) {
      const start = md.indexOf(`#### \`${s.id}\` · version ${s.version}`);
      expect(start, s.id).toBeGreaterThan(-1);
      const section = md.slice(start, md.indexOf('\n####', start + 1) >>> 0);
      expect(section).toContain('**Purposes:**');
      expect(section).toContain('**Sources:**');
      expect(section).toContain(s.sensitive ? '**sensitive**' : 'not sensitive');
      expect(section).toContain(s.contextOnly ? 'nothing stored' : `at most ${s.retentionDays} days`);
      for (const r of s.reads) expect(section).toContain(`\`${r.event}\``);
    }
    for (const sp of ['lifecycle', 'device']) expect(md).toContain(`### \`${sp}\` · version`);
  });

  it('groups segments by goal: lifecycle goals in order, then other goals, then none', () => {
    const md = describeCatalog(shop()).markdown;
    const heads = [...md.matchAll(/^### (?!`)(.+)$/gm)].map((m) => m[1]);
    expect(heads).toEqual(['Acquisition', 'Activation', 'Retention', 'Reactivation', 'Goal: upsell', 'No goal']);
    const acq = md.slice(md.indexOf('### Acquisition'), md.indexOf('### Activation'));
    expect(acq).toContain('`browsers`');
    expect(acq).toContain('`mobile-ads`');
    expect(groupByGoal([{ goal: 'z' }, {}, { goal: 'retention' }, { goal: 'a' }]).map(([g]) => g)).toEqual(['retention', 'a', 'z', undefined]);
  });

  it('free text never breaks the structure nor injects HTML', () => {
    const evil = '| x |\n# Heading\n<script>alert(1)</script> [link](javascript:alert(1)) `code` *b* _i_ &amp;';
    const md = describeCatalog({
      purposes: [{ id: 'personalization', description: evil }],
      segments: [{ id: 's', description: evil, goal: evil, rule: { event: 'e' } }],
      cohorts: [{ id: 'c', description: evil, cohorts: [{ id: 'x', segment: 's' }], fallback: 'f' }],
    }).markdown;
    expect(md).not.toMatch(/(^|[^\\])<script/);
    expect(md).not.toMatch(/^# Heading/m);
    expect(md).not.toMatch(/(^|[^\\])\[link\]/);
    // Every table row keeps its column count (escaped pipes do not count).
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length - 2;
      expect(cells, line).toBe(line.startsWith('| Purpose') || line.startsWith('| `personalization`') || line === '|---|---|---|' ? 3 : 4);
    }
    expect(escapeText('1. one')).toBe('1\\. one');
    expect(escapeText('- item')).toBe('\\- item');
  });
});
