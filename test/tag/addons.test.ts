// The tag bundle's add-on loaders (src/tag/load-*.ts, src/tag/encrypt.ts) as the IIFE uses them:
// the file and global each names, encryption's early load shared with storage's, and a failure
// that reaches onError as `network` while storage continues from memory (nothing in the clear).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/storage';
import { encryptedStore, preloadEncryption } from '../../src/tag/encrypt';
import { loadReporting } from '../../src/tag/load-reporting';
import { loadAdapters } from '../../src/tag/load-adapters';
import { loadContext } from '../../src/tag/load-context';
import { loadPersonalize } from '../../src/tag/load-personalize';
import { loadInterests } from '../../src/tag/load-interests';
import { loadSha256 } from '../../src/tag/load-sha256';
import { createMemoryStore } from '../../src/storage/memory-store';
import { VERSION as version } from '../../src/version';
import type { CohortkitError } from '../../src/errors';

// As rollup's tagSwaps does: storage's `import('./encrypt')` is the tag's loader.
vi.mock('../../src/storage/encrypt', () => import('../../src/tag/encrypt'));

const w = window as unknown as Record<string, unknown>;
afterEach(() => {
  delete w.CohortkitEncrypt;
  delete w.CohortkitReporting;
  delete w.CohortkitInterop;
  delete w.CohortkitPersonalize;
  delete w.CohortkitContext;
  delete w.CohortkitInterests;
  delete w.CohortkitSha256;
  vi.restoreAllMocks();
});

describe('tag add-on loaders', () => {
  it('each names its own file and global (a global already present is used, nothing inserted)', async () => {
    const append = vi.spyOn(document.head, 'append');
    const reporting = { createReportingRuntime: () => 1, version };
    const interop = { connectAdapters: () => 1, version };
    w.CohortkitReporting = reporting;
    w.CohortkitInterop = interop;
    expect(await loadReporting()).toBe(reporting);
    expect(await loadAdapters()).toBe(interop);
    // the personalization, context and declared-interests add-ons name theirs
    w.CohortkitPersonalize = { createPersonalizationRuntime: () => 1, version };
    w.CohortkitContext = { contextFromWindow: () => 1, version };
    w.CohortkitInterests = { declareInterests: () => 1, version };
    expect(await loadPersonalize()).toBe(w.CohortkitPersonalize);
    expect(await loadContext()).toBe(w.CohortkitContext);
    expect(await loadInterests()).toBe(w.CohortkitInterests);
    w.CohortkitSha256 = { sha256Hex: () => '', version };
    expect(await loadSha256()).toBe(w.CohortkitSha256);
    expect(append).not.toHaveBeenCalled();
    // unit tests run the bundle without a <script src>: the directory is unknown, the load fails
    delete w.CohortkitReporting;
    await expect(loadReporting()).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('cohortkit-reporting.js') });
  });

  it('encryptedStore uses the early load and hands the store to the add-on', async () => {
    const raw = createMemoryStore();
    const wrapped = createMemoryStore();
    const add = vi.fn(async () => wrapped);
    w.CohortkitEncrypt = { encryptedStore: add, version };
    preloadEncryption();
    const onError = vi.fn();
    expect(await encryptedStore(raw, onError, 'cohortkit:test')).toBe(wrapped);
    expect(add).toHaveBeenCalledWith(raw, expect.any(Function), 'cohortkit:test');
    expect(onError).not.toHaveBeenCalled();
    // what the add-on reports reaches onError as this bundle's CohortkitError
    const { CohortkitError } = await import('../../src/errors');
    (add.mock.calls[0] as unknown as [unknown, (e: unknown) => void])[1](Object.assign(new Error('undecryptable'), { name: 'CohortkitError', code: 'storage' }));
    expect(onError.mock.calls[0][0]).toBeInstanceOf(CohortkitError);
    expect(onError.mock.calls[0][0]).toMatchObject({ code: 'storage', message: 'undecryptable' });
  });

  it('an add-on that cannot be loaded: onError gets network, and storage continues from memory', async () => {
    const errors: CohortkitError[] = [];
    preloadEncryption(); // fails (no directory): never an unhandled rejection
    const store = await openStore({ storage: 'indexeddb', namespace: 'tag-enc', encryptAtRest: true, onError: (e) => errors.push(e) });
    expect(store.kind).toBe('memory');
    expect(errors.map((e) => e.code)).toEqual(['network', 'storage']);
    expect(errors[0].message).toContain('cohortkit-encrypt.js');
    expect(errors[1].message).toMatch(/continuing from memory$/);
    await store.write([{ type: 'put', store: 'meta', key: 'k', value: 'plain' }]);
    // nothing reached IndexedDB
    const db = await new Promise<IDBDatabase>((r) => (indexedDB.open('cohortkit:tag-enc').onsuccess = (e) => r((e.target as IDBOpenDBRequest).result)));
    const names = [...db.objectStoreNames];
    const rows = names.length ? await new Promise<unknown[]>((r) => (db.transaction(names).objectStore('meta').getAll().onsuccess = (e) => r((e.target as IDBRequest).result))) : [];
    db.close();
    expect(rows).toEqual([]);
    store.close();
  });
});

describe('ownError', () => {
  it("an add-on's CohortkitError (another copy of the class) becomes this bundle's, code, message and cause kept", async () => {
    const { ownError } = await import('../../src/client/addon-error');
    const { CohortkitError } = await import('../../src/errors');
    const cause = new Error('root');
    const foreign = Object.assign(new Error('report.endpoint: expected https'), { name: 'CohortkitError', code: 'invalid-options', cause });
    const own = ownError(foreign) as InstanceType<typeof CohortkitError>;
    expect(own).toBeInstanceOf(CohortkitError);
    expect([own.code, own.message, own.cause]).toEqual(['invalid-options', 'report.endpoint: expected https', cause]);
    const mine = new CohortkitError('network', 'x');
    expect(ownError(mine)).toBe(mine);
    const other = new TypeError('t');
    expect(ownError(other)).toBe(other);
    expect(ownError('str')).toBe('str');
  });
});
