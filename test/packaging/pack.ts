// Packs the repo as `npm publish` would and installs the tarball into throwaway projects.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIXTURES = join(ROOT, 'test/packaging/fixtures');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface PackedFile {
  path: string;
  size: number;
}

/** `npm pack --dry-run --json`: what the tarball would hold. */
export function dryRunFiles(): PackedFile[] {
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as Array<{ files: PackedFile[] }>)[0]!.files;
}

/** Packs into a fresh temp dir; returns the tarball's path. */
export function packTarball(dir: string): string {
  const out = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  return join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}

/**
 * A new project under `parent` named `name` (copied from a fixture when given) with the tarball
 * installed by npm, as a user would: `npm install ./cohortkit-x.y.z.tgz`.
 */
export function installProject(parent: string, name: string, tarball: string, fixture?: string): string {
  const dir = join(parent, name);
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  else mkdirSync(dir, { recursive: true }), writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  return dir;
}

/** Links a dev package of this repo (e.g. `@types/node`) into a project, without installing it. */
export function linkDevPackage(project: string, pkg: string): void {
  const target = join(project, 'node_modules', pkg);
  mkdirSync(join(target, '..'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', pkg), target, 'dir');
}

export function makeTemp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs node with `args` in `cwd`; never throws, returns the result. */
export function runNode(cwd: string, args: string[], timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NODE_OPTIONS: '' } });
}

/** Node ≥ 20.19 loads ES modules with `require()` without a flag. */
export function hasRequireEsm(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}
