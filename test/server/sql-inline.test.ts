// @vitest-environment node
// inline() writes parameters into a statement only when they cannot change it; a property checks,
// on a real PGlite, that the inlined statement returns exactly what the parameterized one does.
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inline } from '../../src/server/collector/sql-inline';
import { INSERT_IDS_SQL, UPSERT_STATS_SQL } from '../../src/server/index';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create(); // in memory
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe('inline (literal parameters for the simple query protocol)', () => {
  it('writes in ids, safe integers, finite numbers, null and arrays of them', () => {
    expect(inline(UPSERT_STATS_SQL, ['lifecycle', 1, 20500, 'grr', 3, 0.5, 0, 2, [1, 0, 1]])).toContain(
      "values ('lifecycle', 1, 20500, 'grr', 3, 0.5, 0, 2, array[1,0,1]::bigint[])",
    );
    expect(inline(INSERT_IDS_SQL, [['AAAAAAAAAAAAAAAAAAAAAA'], [20500]])).toContain("unnest(array['AAAAAAAAAAAAAAAAAAAAAA']::text[], array[20500]::int[])");
    expect(inline('select $1::int[]', [[]])).toBe('select array[]::int[]');
    expect(inline('select $1', [null])).toBe('select null');
  });

  it.each([
    ["a quote", "x'); drop table t; --"],
    ['a backslash', 'a\\\\b'],
    ['a dollar quote', '$$'],
    ['a space', 'a b'],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
    ['a non-ASCII letter', 'é'],
    ['201 characters', 'a'.repeat(201)],
  ])('refuses a string with %s (the caller then binds it as a parameter)', (_, v) => {
    expect(inline('select $1::text', [v])).toBeUndefined();
    expect(inline('select $1::text[]', [['ok', v]])).toBeUndefined();
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a bigint', 1n],
    ['an object', { toString: () => "1'; drop table t; --" }],
    ['a nested array', [[1]]],
    ['undefined', undefined],
    ['a boolean', true],
  ])('refuses %s', (_, v) => {
    expect(inline('select $1', [v])).toBeUndefined();
  });

  it('a comment marker inside the quotes is only text', async () => {
    expect(inline('select $1::text as v', ['--'])).toBe("select '--'::text as v");
    expect((await db.exec(inline('select $1::text as v', ['--'])!))[0].rows).toEqual([{ v: '--' }]);
  });

  it('a negative number cannot become a comment after a minus sign in the statement', async () => {
    expect(inline('select 1 -$1 as v', [-1])).toBe('select 1 -(-1) as v');
    expect((await db.exec(inline('select 1 -$1 as v', [-1])!))[0].rows).toEqual([{ v: 2 }]);
    expect(inline('select $1::int[] as v', [[-1, 2]])).toBe('select array[(-1),2]::int[] as v');
  });

  it('refuses a statement that names a parameter it was not given', () => {
    expect(inline('select $1, $2', [1])).toBeUndefined();
  });

  it('property: an inlined statement returns what the parameterized one returns (or inline refuses)', async () => {
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9_.:|-]{0,30}$/));
    const num = fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.constant(-0), fc.constant(1e21), fc.constant(2 ** 53 - 1));
    const sql = 'select $1::text as a, $2::float8 as b, $3::text[] as c, $4::float8[] as d, 0 -$2::float8 as e';
    let inlined = 0;
    await fc.assert(
      fc.asyncProperty(text, num, fc.array(text, { maxLength: 4 }), fc.array(num, { maxLength: 4 }), async (a, b, c, d) => {
        const params = [a, b, c, d];
        const s = inline(sql, params);
        if (s === undefined) return;
        inlined++;
        const want = (await db.query(sql, params)).rows;
        const got = (await db.exec(s))[0].rows;
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
    expect(inlined).toBeGreaterThan(30); // the property ran on inlined statements, not only on refusals
  });
});
