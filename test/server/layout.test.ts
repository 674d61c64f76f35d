// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every module `file` reaches through static and dynamic imports (relative ones followed), and the bare ones. */
function reach(file: string, seen = new Set<string>(), bare = new Set<string>()): { files: Set<string>; bare: Set<string> } {
  if (seen.has(file)) return { files: seen, bare };
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (!spec.startsWith('.')) bare.add(spec);
    else {
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
      expect(target, `${relative(SRC, file)} imports ${spec}`).toBeDefined();
      reach(target!, seen, bare);
    }
  }
  return { files: seen, bare };
}

it('the estimator layer (src/server/estimator/) reaches no node: module, no driver and nothing of the collector', () => {
  for (const name of ['estimator', 'stats', 'publish', 'validate-report']) {
    const { files, bare } = reach(join(SRC, 'server/estimator', `${name}.ts`));
    expect([...bare], name).toEqual([]);
    const outside = [...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('server/') && !f.startsWith('server/estimator/'));
    expect(outside, name).toEqual([]);
    expect(files.size).toBeGreaterThan(1); // it did follow its imports
  }
});

it('the collector layer is where the node: imports are (the check above can see them)', () => {
  const { bare } = reach(join(SRC, 'server/collector/cli.ts'));
  expect([...bare]).toContain('node:http');
});
