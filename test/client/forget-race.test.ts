// forget() right after a consent change: the change's sweep (which reads the store in the
// background) finishes before the database is deleted, so no storage error reaches on('error').
import { expect, it } from 'vitest';
import { createClient } from '../../src/index';

it('withdrawing then forget() at once: no storage error, and the database is gone', async () => {
  const namespace = `forget-race-${Date.now().toString(36)}`;
  const c = await createClient({ namespace, segments: [{ id: 'a', description: 'd', rule: { event: 'v' } }] });
  const errors: unknown[] = [];
  c.on('error', (e) => errors.push(e));
  await c.consent.update({ personalization: true, measurement: true });
  await c.track('v');
  await c.consent.update({ personalization: false });
  await c.forget();
  await new Promise((r) => setTimeout(r, 200));
  expect(errors).toEqual([]);
  expect(c.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
  expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(`cohortkit:${namespace}`);
  await c.close();
});
