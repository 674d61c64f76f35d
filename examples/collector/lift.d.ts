// Types of lift.js (the dashboard's plain-JS lift view), for the tests that compare it with the library.
interface Arm { rate: number; stderr: number; n: number }
interface EstimateLike { n?: number; cohorts: Array<{ id: string; estimate: number | null; stderr: number | null }> }
export function lift(est: EstimateLike):
  | { withheld: true }
  | { withheld?: undefined; holdout: Arm; treated: Arm; lift: number; stderr: number; ci95: [number, number]; significant: boolean; summary: string };
export function plan(
  o: { baseline: number; lift: number; share?: number; holdout?: number; epsilon?: number },
  m: { name: string; p: number; q: number; d?: number },
  mechanismAt?: (epsilon: number) => { name: string; p: number; q: number; d?: number },
): { visitors: number; withoutPrivacy: number };
export function epsilonOf(est: EstimateLike, mechanismAt: (epsilon: number) => { p: number; q: number }): number | undefined;
/** Covariance matrix of the k cohort estimates (sampling + LDP noise + fixed-count noise covariance). */
export function covariance(n: number, est: number[], se: number[], sampling?: boolean): number[][];
