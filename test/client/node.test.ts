// @vitest-environment node
// cohortkit in plain Node with storage: 'memory' (API.md: "browser (and Node with storage: 'memory')").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';

describe('Node with storage: memory', () => {
  it('works without a window', async () => {
    const c = await createClient({ storage: 'memory', segments: [{ id: 'r', description: 'd', rule: { event: 'a' } }] });
    await c.consent.update({ personalization: true });
    expect(await c.track('a')).toEqual({ stored: true, reason: 'stored' });
    expect((await c.segments()).map((m) => m.id)).toEqual(['r']);
    await c.close();
  });

  const dist = join(import.meta.dirname, '..', '..', 'dist', 'index.js');
  it.runIf(existsSync(dist))('a client never keeps the Node process alive (no close() needed)', () => {
    const script = `import { createClient } from ${JSON.stringify(dist)};
      const c = await createClient({ storage: 'memory', segments: [{ id: 'r', description: 'd', rule: { event: 'a' } }] });
      await c.consent.update({ personalization: true }); await c.track('a'); console.log('done');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000, encoding: 'utf8' });
    expect(r.error).toBeUndefined(); // a timeout would set error (ETIMEDOUT)
    expect(r.stdout.trim()).toBe('done');
    expect(r.status).toBe(0);
  });
});
