// @vitest-environment node
// `npx cohortkit-catalog <config.json>`: the built bin, spawned; and the same CLI core in-process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCatalog } from '../../src/catalog';
import { runCatalogCli } from '../../src/catalog/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cohortkit-catalog.js');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'shop.json');
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 15_000 });

describe.runIf(existsSync(BIN))('dist/cohortkit-catalog.js', () => {
  it('prints the Markdown catalog of a config file (exit 0), exactly describeCatalog(options).markdown', () => {
    const r = run(FIXTURE);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(describeCatalog(JSON.parse(readFileSync(FIXTURE, 'utf8'))).markdown);
    expect(r.stdout).toBe(readFileSync(join(import.meta.dirname, 'fixtures', 'shop.md'), 'utf8'));
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('--json prints { segments, spaces }', () => {
    const r = run('--json', FIXTURE);
    expect(r.status).toBe(0);
    const d = describeCatalog(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(JSON.parse(r.stdout)).toEqual({ segments: d.segments, spaces: d.spaces });
  });

  it.each([
    ['a missing file', () => [join(dir, 'nope.json')], /^cohortkit-catalog: cannot read .*nope\.json: no such file\n$/],
    ['a directory', () => [(mkdirSync(join(dir, 'sub'), { recursive: true }), join(dir, 'sub'))], /^cohortkit-catalog: cannot read .*sub: is a directory\n$/],
    ['malformed JSON', () => [file('bad.json', '{ "segments": [ }')], /^cohortkit-catalog: .*bad\.json: not valid JSON \(/],
    ['invalid options', () => [file('inv.json', JSON.stringify({ segments: [{ id: 'Bad', description: 'd', rule: { event: 'e' } }] }))], /^cohortkit-catalog: .*inv\.json: invalid options: segments\[0\]\.id: expected an id/],
    ['a sensitive segment in a space', () => [file('sens.json', JSON.stringify({ segments: [{ id: 's', description: 'd', sensitive: true, rule: { event: 'e' } }], cohorts: [{ id: 'c', description: 'd', cohorts: [{ id: 'x', segment: 's' }], fallback: 'f' }] }))], /invalid options: cohorts\[0\]\.cohorts\[0\]\.segment: segment "s" is sensitive/],
    ['JSON that is not an object', () => [file('arr.json', '[1, 2]')], /arr\.json: invalid options: options: expected a plain object/],
    ['no argument', () => [], /expected one config file, got 0[\s\S]*usage: cohortkit-catalog/],
    ['two files', () => [FIXTURE, FIXTURE], /expected one config file, got 2/],
    ['an unknown flag', () => ['--markdown', FIXTURE], /unknown option --markdown/],
  ])('%s: exit 2 and a message naming it', (_name, args, message) => {
    const r = run(...args());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('the Markdown renderer is not in the core bundle (dist/index.js and the chunks it imports)', () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const [, rel] of readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*['"](\.\/[^'"]+)['"]/g)) visit(join(f, '..', rel));
    };
    visit(join(ROOT, 'dist', 'index.js'));
    expect(seen.size).toBeGreaterThan(1);
    for (const f of seen) expect(readFileSync(f, 'utf8'), f).not.toContain('# Segment catalog');
    expect(readFileSync(join(ROOT, 'dist', 'catalog.js'), 'utf8')).toContain('# Segment catalog');
  });
});

describe('runCatalogCli (in-process)', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { readFile: async (p: string) => readFileSync(p, 'utf8'), out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
  };
  it('--help prints the usage (exit 0)', async () => {
    const t = io();
    expect(await runCatalogCli(['--help'], t.io)).toBe(0);
    expect(t.out.join('')).toMatch(/^usage: cohortkit-catalog/);
  });
  it('a file of hostile JSON (__proto__, deep nesting) is invalid options, never a crash', async () => {
    const t = io();
    const p = file('proto.json', '{"__proto__": {"polluted": true}, "segments": []}');
    expect(await runCatalogCli([p], t.io)).toBe(2);
    expect(t.err.join('')).toMatch(/invalid options: __proto__: unknown key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const deep = file('deep.json', JSON.stringify({ segments: [{ id: 's', description: 'd', rule: JSON.parse('{"not":'.repeat(100) + '{"event":"e"}' + '}'.repeat(100)) }] }));
    expect(await runCatalogCli([deep], t.io)).toBe(2);
    expect(t.err.join('')).toMatch(/nested too deeply/);
  });
});
