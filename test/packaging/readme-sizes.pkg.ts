// The README's script-tag sizes are what the built files weigh (gzip level 9, as size-limit
// measures them): a figure left from an earlier build is a wrong promise to whoever budgets by it.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
/** kB gzipped, as size-limit prints it (1 kB = 1000 B). */
const kB = (file: string) => gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length / 1000;
const figures = (re: RegExp) => [...readme.matchAll(re)].map((m) => ({ file: m[1], said: Number(m[2]), at: m[0] }));

describe('README size figures match dist/', () => {
  it('every "`cohortkit-….js` (N kB)" and the bundle\'s own rows', () => {
    const said = [
      ...figures(/`(cohortkit[\w-]*\.js)` \((\d+(?:\.\d+)?) kB\)/g),
      ...figures(/\| `(cohortkit\.iife\.js)` \| (\d+(?:\.\d+)?) kB \|/g),
      ...figures(/^One script tag \((\d+(?:\.\d+)?) kB/gm).map((f) => ({ ...f, file: 'cohortkit.iife.js', said: Number(f.file) })),
    ];
    // Every add-on is in the table, and the bundle in the first line and the size table.
    expect(new Set(said.map((s) => s.file)).size).toBeGreaterThanOrEqual(7);
    const wrong = said.filter((s) => Math.abs(kB(s.file) - s.said) > 0.05 + 1e-9).map((s) => `${s.at} (built: ${kB(s.file).toFixed(2)} kB)`);
    expect(wrong).toEqual([]);
  });

  it('the size section\'s two-decimal total', () => {
    const m = /^Total: (\d+\.\d\d) kB gzipped \(`dist\/cohortkit\.iife\.js`/m.exec(readme);
    expect(m).not.toBeNull();
    expect(Math.abs(kB('cohortkit.iife.js') - Number(m![1]))).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});
