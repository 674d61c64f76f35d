// A store driver that is not installed (pg and PGlite are optional peer dependencies). Node's own
// failure for a missing package is produced here by importing one that does not exist; the real
// openStore with the real packages absent is checked against the installed tarball in tarball.pkg.ts.
import { describe, expect, it } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import { needDriver, openStore, type CollectorStore } from '../../src/server/collector/store';

const missing = (name: string) => () => import(/* @vite-ignore */ name);

describe('needDriver', () => {
  it.each([
    ['store.dataDir', '@electric-sql/pglite'],
    ['store.databaseUrl', 'pg'],
  ])('%s with %s missing: CohortkitError naming the package and the install command', async (path, pkg) => {
    const e: unknown = await needDriver(path, pkg, missing(`${pkg}-not-installed-here`)).catch((x: unknown) => x);
    expect(isCohortkitError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'invalid-options', message: `${path}: this store needs ${pkg}, which is not installed; run: npm install ${pkg}` });
    expect((e as Error).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('a CommonJS-style MODULE_NOT_FOUND is explained too', async () => {
    const cjs = Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' });
    await expect(needDriver('store.databaseUrl', 'pg', () => Promise.reject(cjs))).rejects.toMatchObject({ code: 'invalid-options', cause: cjs });
  });

  it.each([
    ['a native binding that fails', Object.assign(new Error('native binding failed to load'), { code: 'ERR_DLOPEN_FAILED' })],
    ['a plain error', new Error('boom')],
    ['a thrown string', 'boom'],
    ['null', null],
  ])('another import failure (%s) passes unchanged, not called "not installed"', async (_name, failure) => {
    const e: unknown = await needDriver('store.databaseUrl', 'pg', () => Promise.reject(failure)).catch((x: unknown) => x);
    expect(e).toBe(failure);
  });

  it('an installed driver loads (the repo keeps both as devDependencies)', async () => {
    await expect(needDriver('store.databaseUrl', 'pg', () => import('pg'))).resolves.toBeUndefined();
    await expect(needDriver('store.dataDir', '@electric-sql/pglite', () => import('@electric-sql/pglite'))).resolves.toBeUndefined();
  });
});

describe('openStore', () => {
  it('returns a custom store as is, needing no driver', async () => {
    // Only its identity matters here: openStore hands a custom store back untouched.
    const custom = { kind: 'custom', init: async () => {}, addBatch: async () => ({}), rows: async () => [], epochs: async () => [], close: async () => {} } as unknown as CollectorStore;
    await expect(openStore(custom)).resolves.toBe(custom);
  });

  it('with the driver installed opens the store without a connection yet (pg)', async () => {
    const store = await openStore({ databaseUrl: 'postgres://127.0.0.1:1/never' });
    expect(store.kind).toBe('postgres');
  });
});
