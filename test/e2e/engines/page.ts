// Builds an EnginePage from an engine's four primitives, adding waitFor and probe harvesting.
import { callSource, poll, type EnginePage } from './types';

export interface RawPage {
  goto(url: string): Promise<void>;
  /** Evaluates `(source)(arg)` in the page, awaiting a returned promise. */
  run(source: string, arg: unknown): Promise<unknown>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

const harvest = () => {
  const w = window as unknown as { __ckProbe?: string[] };
  return w.__ckProbe ? w.__ckProbe.splice(0) : [];
};

export interface TrackedPage extends EnginePage {
  /** Moves what the probe recorded in this page into `sink` (the page may have navigated away). */
  collect(): Promise<void>;
}

export function wrapPage(raw: RawPage, sink: string[], onClose: () => void): TrackedPage {
  const evaluate = <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => raw.run(callSource(fn as never), arg ?? null) as Promise<R>;
  const collect = async () => {
    try {
      sink.push(...(await evaluate(harvest)));
    } catch {
      // a page without a document (about:blank closing) has nothing to give
    }
  };
  return {
    evaluate,
    collect,
    async goto(url) {
      await collect();
      await raw.goto(url);
    },
    waitFor(fn, arg, opts) {
      // Coerced in the page: a DOM node or other non-JSON value would not cross every driver.
      const truthy = `(async (a) => !!(await ${callSource(fn as never)}(a)))`;
      return poll(() => raw.run(truthy, arg ?? null), fn.toString().slice(0, 120), opts?.timeout);
    },
    async reload() {
      await collect();
      await raw.reload();
    },
    async close() {
      await collect();
      onClose();
      await raw.close();
    },
  };
}
