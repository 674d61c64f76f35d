// A polluted Object.prototype (a page's script, an old library) does not change what createClient
// reads: the schema walks the own keys of its shapes only, and an inherited option counts as absent.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';

const proto = Object.prototype as Record<string, unknown>;
const added: string[] = [];
/** Sets an enumerable `Object.prototype[key]` until the end of the test. */
const pollute = (key: string, value: unknown) => {
  added.push(key);
  proto[key] = value;
};
afterEach(() => {
  for (const k of added.splice(0)) delete proto[k];
});

let n = 0;
/** What createClient does: 'resolved' (with the client's purposes), or the rejection ('RAW …' for anything but a CohortkitError). */
async function outcome(o: Record<string, unknown>) {
  try {
    const client = await createClient({ storage: 'memory', namespace: `proto${n++}`, ...o });
    const ids = client.purposes.map((p) => p.id).join(',');
    await client.close();
    return `resolved ${ids}`;
  } catch (e) {
    return isCohortkitError(e) ? `${e.code}: ${(e as Error).message}` : `RAW ${String(e)}`;
  }
}

describe('createClient with a polluted Object.prototype', () => {
  it.each([
    ['a key no shape knows', 'x', 'evil'],
    ['a function', 'y', () => 'evil'],
    ['an object', 'z', { rule: { event: 'a' } }],
  ])('%s → resolves as without it', async (_name, key, value) => {
    pollute(key, value);
    expect(await outcome({ purposes: ['personalization', 'measurement'] })).toBe('resolved personalization,measurement');
  });

  it('the same with segments, interests and cohorts declared (nested shapes)', async () => {
    pollute('x', 'evil');
    const o = {
      purposes: ['personalization'],
      interests: [{ id: 'running', label: 'Running' }],
      segments: [{ id: 'runner', description: 'Runs', rule: { declared: 'running' } }],
      cohorts: [{ id: 'space', description: 'Runners', cohorts: [{ id: 'r', segment: 'runner' }], fallback: 'other' }],
    };
    expect(await outcome(o)).toBe('resolved personalization');
  });

  it.each([
    ['purposes', ['evil']],
    ['retentionDays', -1],
    ['policyVersion', 7],
    ['segments', [{ id: 'evil', description: 'Injected', purposes: [], rule: { context: 'device', in: ['desktop'] } }]],
    ['report', { endpoint: 'https://evil.example/collect' }],
  ])('an inherited %s is not read as that option (absent: the default)', async (key, value) => {
    const clean = await outcome({});
    pollute(key, value);
    expect(await outcome({})).toBe(clean);
    const client = await createClient({ storage: 'memory', namespace: `proto${n++}` });
    expect(client.catalog().map((s) => s.id)).toEqual([]);
    await client.close();
  });

  it('a purpose given as an object keeps only its own keys', async () => {
    pollute('retentionDays', -1);
    expect(await outcome({ purposes: [{ id: 'personalization', description: 'd' }] })).toBe('resolved personalization');
  });
});
