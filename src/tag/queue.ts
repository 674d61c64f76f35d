import { EMIT } from '../emitter';
import { CohortkitError, isCohortkitError } from '../errors';
import type { Client, ClientOptions, ConsentSource, DecideRequest, Decision, Scalar } from '../types';

/** A command for `window.cohortkit.push(…)`. */
export type Command =
  | ['init', ClientOptions?]
  | ['consent', Record<string, boolean>, { source?: ConsentSource }?]
  | ['track', string, Record<string, Scalar>?]
  | ['decide', DecideRequest, ((decision: Decision, error?: unknown) => void)?];

/** `window.cohortkit` once `init` resolves: the client, plus `push` running a command at once. */
export type QueuedClient = Client & {
  /** Runs `command` (after any still replaying); resolves with its result, `undefined` on failure. Never rejects. */
  push(command: Command): Promise<unknown>;
};

export interface CommandQueueOptions {
  /** Options used when the queue holds no `init` (or `['init']` without options): data-config / window.cohortkitConfig. */
  config?: ClientOptions | PromiseLike<ClientOptions | undefined>;
  /** Where command errors go. Default: the client's `on('error')` listeners (its error channel), else `console.warn`. */
  onError?: (error: unknown) => void;
}

type Entry = [command: unknown[], done: (result: unknown) => void];

const MARK = Symbol.for('cohortkit.queue');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v == 'object' && v !== null;
const warn = (...args: unknown[]) => console.warn('cohortkit:', ...args);
const noop = () => {};
/** `[name, a, b]` of `c`, each read once; `[]` if `c` is no array or a read throws (getter, proxy). */
const read = (c: unknown): unknown[] => {
  try {
    if (Array.isArray(c)) return [c[0], c[1], c[2]];
  } catch {}
  return [];
};
/** True when a read command has the shape of one (deeper checks are the client's). No coercion, no getter runs. */
const valid = ([n, a, b]: unknown[]) =>
  n === 'init'
    ? a === undefined || isObject(a)
    : n === 'decide'
      ? isObject(a) && (b == null || typeof b == 'function')
      : (n === 'consent' ? isObject(a) : n === 'track' && typeof a == 'string') && (b === undefined || isObject(b));
/** The decision of a request that could not be decided: its fallback (undefined if unreadable), 'no-match'. */
const miss = (a: unknown): Decision => {
  let value;
  try {
    value = (a as DecideRequest).fallback;
  } catch {}
  return { value, reason: 'no-match' };
};

/**
 * Installs the `window.cohortkit` command queue. Commands already in `win.cohortkit` (an array) and
 * those pushed later wait for `init` wherever it stands; while init is pending `win.cohortkit` is an
 * object whose `push` appends. Once the client resolves, `win.cohortkit` becomes the client with a
 * `push`, and the waiting commands replay in order, each awaited. Each command is read once; a
 * malformed one is dropped with an `invalid-argument` error. Command errors go to `onError`, else
 * to the client's `on('error')` listeners (its error channel), else to `console.warn`; nothing is
 * thrown to the page and every `push` settles. A decide callback is called exactly once: with the
 * decision, or with `{ value: fallback, reason: 'no-match' }` and the error when the request is
 * malformed or decide() rejects. A failed init (or a malformed one) can be retried with another
 * init, and consent / track commands wait for it; but decides do not: while no other init is
 * pending or queued, they are answered with their fallback ('no-match', the init's error) at
 * once, so page code never waits forever. Installing twice returns the first installation's promise.
 * @param win the window (or any object holding `cohortkit`)
 * @param createClient the client factory
 * @param opts fallback config and error sink
 * @returns resolves with the client once init succeeded and the queue replayed
 */
export function installCommandQueue(
  win: { cohortkit?: unknown },
  createClient: (options: ClientOptions) => Promise<Client>,
  opts: CommandQueueOptions = {},
): Promise<QueuedClient> {
  const prev = win.cohortkit;
  if (isObject(prev) && prev[MARK as never]) return prev[MARK as never] as Promise<QueuedClient>;
  if (prev !== undefined && !Array.isArray(prev)) warn('window.cohortkit was not an array; ignored');
  let q: Entry[] = [];
  let client: QueuedClient | undefined;
  let initing = false;
  let running = false;
  let autoTried = false;
  let failed: [error: unknown] | undefined;
  let ready!: (c: QueuedClient) => void;
  const done = new Promise<QueuedClient>((r) => (ready = r));

  const report = (e: unknown, name: string) => {
    try {
      const err = isCohortkitError(e)
        ? e
        : new CohortkitError('invalid-argument', `cohortkit.push(['${name}']): ${e instanceof Error ? e.message : e}`, e);
      if (opts.onError) opts.onError(err);
      else if (!(client as { [EMIT]?: (e: unknown) => boolean } | undefined)?.[EMIT]?.(err)) warn(err);
    } catch {
      // an error sink that throws (or an unprintable error) never reaches the page
    }
  };

  /** Calls the decide callback `b` (when a function) with `d`, isolating its throw; returns `d`. */
  const settle = (d: Decision, b: unknown, err?: unknown) => {
    try {
      if (typeof b == 'function') b(d, err);
    } catch (e) {
      report(e, 'decide');
    }
    return d;
  };
  const answer = (a: unknown, b: unknown, err: unknown, resolve: (r: unknown) => void) =>
    queueMicrotask(() => resolve(settle(miss(a), b, err)));

  const run = async ([name, a, b]: unknown[]): Promise<unknown> => {
    const cl = client!;
    try {
      if (name == 'init') return warn('already initialized; init ignored'), cl;
      if (name == 'consent') return await cl.consent.update(a as never, b as never);
      if (name == 'track') return await cl.track(a as never, b as never);
      let d: Decision | undefined;
      let err: unknown;
      try {
        d = await cl.decide(a as DecideRequest);
      } catch (e) {
        report((err = e), 'decide');
      }
      return settle(d ?? miss(a), b, err);
    } catch (e) {
      report(e, name as string);
    }
  };

  const drain = async () => {
    running = true;
    while (q.length) {
      const [c, resolve] = q.shift()!;
      resolve(await run(c));
    }
    running = false;
  };

  const init = async (options: ClientOptions | undefined, resolve: (r: unknown) => void, auto: boolean) => {
    initing = true;
    try {
      const o = options ?? (await opts.config);
      if (o || !auto) {
        const c = await createClient(o ?? {});
        client = Object.assign(Object.isExtensible(c) ? c : Object.create(c), { push, [MARK]: done });
        win.cohortkit = client;
        resolve(client);
        await drain();
        return ready(client!);
      }
    } catch (e) {
      warn('init failed', e);
      failed = [e];
    }
    resolve(undefined);
    initing = false;
    kick();
  };

  const kick = () => {
    if (client) {
      if (!running) drain();
    } else if (!initing) {
      const i = q.findIndex(([[n]]) => n == 'init');
      if (i >= 0) {
        const [[[, o], resolve]] = q.splice(i, 1);
        init(o as ClientOptions | undefined, resolve, false);
      } else if (opts.config && !autoTried) {
        autoTried = true;
        init(undefined, noop, true);
      } else if (failed) q = q.filter(([[n, a, b], resolve]) => n != 'decide' || answer(a, b, failed![0], resolve));
    }
  };

  /** Queues `c`, read once; a malformed command is reported and settles (a decide with its fallback). */
  const add = (c: unknown, resolve: (r: unknown) => void) => {
    const cmd = read(c);
    const [n, a, b] = cmd;
    if (valid(cmd)) return void q.push([cmd, resolve]);
    const e = new CohortkitError('invalid-argument', `cohortkit.push: malformed command${typeof n == 'string' ? ` '${n}'` : ''}`);
    report(e, '');
    if (n === 'init') failed = [e];
    if (n === 'decide') answer(a, b, e, resolve);
    else resolve(undefined);
  };

  function push(command: unknown): Promise<unknown> {
    return new Promise((resolve) => (add(command, resolve), kick()));
  }

  if (Array.isArray(prev))
    try {
      prev.forEach((c) => add(c, noop));
    } catch {}
  win.cohortkit = { push, [MARK]: done };
  kick();
  return done;
}
