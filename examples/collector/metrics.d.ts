// Types of metrics.js (the dashboard's plain-JS audit and consent-rate views), for the tests that compare it with the library.
interface EstimateLike { n?: number; cohorts: Array<{ id: string; estimate: number | null; stderr: number | null }> }
interface Share { rate: number; stderr: number; ci95: [number, number] }
export function audit(est: EstimateLike, threshold?: number): {
  groups: Array<{ id: string; n: number; rate: number; stderr: number; ci95: [number, number] }>;
  ratio: number; ci95: [number, number]; flagged: boolean; lowest?: string; highest?: string; withheld?: boolean;
};
export function consentRates(est: EstimateLike):
  | { purposes: string[]; withheld: true; rates?: undefined }
  | { purposes: string[]; withheld?: undefined; rates: Record<string, { granted: Share; denied: Share; unset: Share }> };
