import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.[cm]?[jt]s$/.test(e.name) ? [join(dir, e.name)] : [],
  );

it('src/ never uses Math.random (privacy randomness comes from crypto.getRandomValues)', () => {
  const all = files(SRC);
  expect(all.length).toBeGreaterThan(0);
  const offenders = all.filter((f) => /Math\s*\.\s*random|Math\s*\[\s*['"`]random/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
