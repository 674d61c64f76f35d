// close() lets the calls already made finish: a track() or consent.update() just before close() is
// stored (it was cut off by the closing database: `storage: … connection was closed`), and a call
// after close() rejects `closed`.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index';

const segments = [{ id: 'fans', description: 'd', rule: { event: 'view' } }];

it('a track() and a consent.update() made just before close() resolve and are kept', async () => {
  const namespace = `close-inflight-${Date.now().toString(36)}`;
  const c = await createClient({ namespace, segments });
  const errors: unknown[] = [];
  c.on('error', (e) => errors.push(e));
  await c.consent.update({ personalization: true });
  const tracked = c.track('view');
  const updated = c.consent.update({ measurement: true });
  const closing = c.close();
  expect(c.close()).toBe(closing); // one close, however often asked
  await expect(tracked).resolves.toMatchObject({ stored: true });
  await expect(updated).resolves.toMatchObject({ measurement: 'granted' });
  await closing;
  await expect(c.track('view')).rejects.toMatchObject({ code: 'closed' });
  expect(errors).toEqual([]);
  const again = await createClient({ namespace, segments });
  expect(again.consent.get()).toEqual({ personalization: 'granted', measurement: 'granted' });
  expect(((await again.exportData()).signals as Array<{ event: string; count: number }>).map((s) => [s.event, s.count])).toEqual([['view', 1]]);
  await again.close();
});
