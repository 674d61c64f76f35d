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
  /** Where command errors go. Default: the client's `emit('error', e)` if it has one, else `console.warn`. */
  onError?: (error: unknown) => void;
}

type Entry = [command: unknown, done: (result: unknown) => void];

const MARK = Symbol.for('cohortkit.queue');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v == 'object' && v !== null;
const warn = (...args: unknown[]) => console.warn('cohortkit:', ...args);
const isInit = (c: unknown) => Array.isArray(c) && c[0] == 'init' && (c[1] === undefined || isObject(c[1]));

/** True when `c` has the shape of a command other than `init` (deeper checks are the client's). */
const isCommand = (c: unknown): c is unknown[] =>
  Array.isArray(c) &&
  (c[0] == 'consent'
    ? isObject(c[1]) && (c[2] === undefined || isObject(c[2]))
    : c[0] == 'track'
      ? typeof c[1] == 'string' && (c[2] === undefined || isObject(c[2]))
      : c[0] == 'decide' && isObject(c[1]) && (c[2] == null || typeof c[2] == 'function'));

/**
 * Installs the `window.cohortkit` command queue. Commands already in `win.cohortkit` (an array) and
 * those pushed later wait for `init` wherever it stands; while init is pending `win.cohortkit` is an
 * object whose `push` appends. Once the client resolves, `win.cohortkit` becomes the client with a
 * `push`, and the waiting commands replay in order, each awaited. Command errors go to `onError`;
 * nothing is thrown to the page. Installing twice returns the first installation's promise.
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
  const q: Entry[] = Array.isArray(prev) ? prev.map((c): Entry => [c, () => {}]) : [];
  let client: QueuedClient | undefined;
  let initing = false;
  let running = false;
  let autoTried = false;
  let ready!: (c: QueuedClient) => void;
  const done = new Promise<QueuedClient>((r) => (ready = r));

  const report = (e: unknown, name: string) => {
    const err = isCohortkitError(e)
      ? e
      : new CohortkitError('invalid-argument', `cohortkit.push(['${name}']): ${e instanceof Error ? e.message : e}`, e);
    try {
      const emit = (client as { emit?: (event: 'error', detail: unknown) => void } | undefined)?.emit;
      if (opts.onError) opts.onError(err);
      else if (typeof emit == 'function') emit.call(client, 'error', err);
      else warn(err);
    } catch {
      // an error sink that throws never reaches the page
    }
  };

  const run = async (c: unknown): Promise<unknown> => {
    const cl = client!;
    if (isInit(c)) {
      warn('already initialized; init ignored');
      return cl;
    }
    if (!isCommand(c)) return void warn('ignored a malformed command', c);
    const [name, a, b] = c as [string, never, never];
    try {
      if (name == 'consent') return await cl.consent.update(a, b);
      if (name == 'track') return await cl.track(a, b);
      let d: Decision;
      let err: unknown;
      try {
        d = await cl.decide(a);
      } catch (e) {
        report((err = e), name);
        d = { value: (a as DecideRequest).fallback, reason: 'no-match' };
      }
      try {
        (b as ((d: Decision, e?: unknown) => void) | undefined)?.(d, err);
      } catch (e) {
        report(e, name);
      }
      return d;
    } catch (e) {
      report(e, name);
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
    }
    resolve(undefined);
    initing = false;
    kick();
  };

  const kick = () => {
    if (client) {
      if (!running) drain();
    } else if (!initing) {
      const i = q.findIndex(([c]) => isInit(c));
      if (i >= 0) {
        const [[c, resolve]] = q.splice(i, 1);
        init((c as Command)[1] as ClientOptions | undefined, resolve, false);
      } else if (opts.config && !autoTried) {
        autoTried = true;
        init(undefined, () => {}, true);
      }
    }
  };

  function push(command: unknown): Promise<unknown> {
    return new Promise((resolve) => {
      q.push([command, resolve]);
      kick();
    });
  }

  win.cohortkit = { push, [MARK]: done };
  kick();
  return done;
}
