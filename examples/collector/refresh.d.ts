// Types of refresh.js (the dashboard's reload coalescing), for its tests.
export function coalesce<A, R>(run: (arg: A) => Promise<R> | R, merge?: (pending: A, next: A) => A): (arg: A) => Promise<R>;
