// on(): a listener that is not a function is refused at once (it would fail on every event later);
// a listener that throws something unprintable is still isolated and reported as `listener`.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index';

it('on() with a listener that is not a function throws invalid-argument naming it', async () => {
  const c = await createClient({ storage: 'memory' });
  for (const bad of [null, undefined, 'f', {}]) expect(() => c.on('consent', bad as never)).toThrow(expect.objectContaining({ code: 'invalid-argument', message: 'listener: expected a function' }));
  await c.close();
});

it('a listener throwing an unprintable value is isolated: the others run, an error of code listener says so', async () => {
  const c = await createClient({ storage: 'memory' });
  const errors: Array<{ code?: string; message?: string }> = [];
  const seen: unknown[] = [];
  c.on('error', (e) => errors.push(e as never));
  c.on('consent', () => {
    throw new Proxy({}, { get() { throw new Error('no'); } });
  });
  c.on('consent', (s) => seen.push(s));
  await expect(c.consent.update({ measurement: true })).resolves.toMatchObject({ measurement: 'granted' });
  expect(seen).toHaveLength(1);
  expect(errors).toEqual([expect.objectContaining({ code: 'listener', message: "a 'consent' listener threw: an unprintable value" })]);
  await c.close();
});

it('isCohortkitError never throws: a hostile proxy is not one', async () => {
  const { isCohortkitError } = await import('../../src/index');
  const hostile = new Proxy({}, { get() { throw new Error('no'); }, getPrototypeOf() { throw new Error('no'); } });
  expect(isCohortkitError(hostile)).toBe(false);
});
