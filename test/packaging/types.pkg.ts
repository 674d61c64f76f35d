// The fixture project in fixtures/types, type-checked with tsc against the installed tarball under
// each moduleResolution a user may have. skipLibCheck is on, as in most apps: that is how broken
// declarations used to pass as `any`, which the fixture's @ts-expect-error lines catch.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, ROOT } from './pack';

const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');

function typecheck(dir: string, mode: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, `tsconfig.${mode}.json`), '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

function fixtureIn(app: string, name: string): string {
  const dir = join(app, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(FIXTURES, 'types'), dir, { recursive: true });
  return dir;
}

describe('declarations in a consumer project', () => {
  const app = inject('app');
  const dir = fixtureIn(app, 'types-fixture');

  // nodenext-libcheck: the declarations themselves also type-check in a strict consumer
  // (skipLibCheck off, exactOptionalPropertyTypes, noUncheckedIndexedAccess).
  it.each(['nodenext', 'node16', 'bundler', 'nodenext-libcheck'])('%s: correct code passes, misuse is a type error', (mode) => {
    const r = typecheck(dir, mode);
    console.log(`[types] ${mode}: tsc exit ${r.status}${r.output ? `\n${r.output}` : ', no errors'}`);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('client.track(42) is reported as an error without the @ts-expect-error (types are real, not any)', () => {
    const probe = fixtureIn(app, 'types-probe');
    writeFileSync(
      join(probe, 'esm.ts'),
      `import { createClient } from 'cohortkit';\nexport const run = async () => (await createClient({ storage: 'memory' })).track(42);\n`,
    );
    for (const mode of ['nodenext', 'node16', 'bundler']) {
      const r = typecheck(probe, mode);
      expect(r.status, mode).not.toBe(0);
      expect(r.output, mode).toMatch(/esm\.ts\(2,\d+\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
    }
  });

  it('the fixture fails against the old declarations (extensionless imports: silently any under nodenext)', () => {
    const canary = fixtureIn(app, 'types-canary');
    // The installed package again, its .d.ts imports made extensionless as tsc emitted them before.
    const copy = join(canary, 'node_modules/cohortkit');
    cpSync(join(app, 'node_modules/cohortkit'), copy, { recursive: true });
    mkdirSync(join(canary, 'node_modules/@types'), { recursive: true });
    symlinkSync(realpathSync(join(app, 'node_modules/@types/node')), join(canary, 'node_modules/@types/node'), 'dir');
    let stripped = 0;
    for (const f of readdirSync(join(copy, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))) {
      const file = join(copy, 'dist', f);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, (_m, a: string, b: string) => (stripped++, a + b)));
    }
    expect(stripped).toBeGreaterThan(0);
    const r = typecheck(canary, 'nodenext');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/esm\.ts\(\d+,\d+\): error TS2578: Unused '@ts-expect-error' directive/);
  });
});
