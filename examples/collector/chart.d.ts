// Types of chart.js (the dashboard's inline SVG chart and number formats), for its tests.
export const num: (x: unknown) => string;
export const fmtDay: (epoch: unknown) => string;
export const WITHHELD: string;
export function chart(
  cohorts: Array<{ id: string; estimate: number | null; stderr?: number | null; ci95?: readonly [number, number] | number[] | null; suppressed?: boolean }>,
  truth?: Array<{ count: number } | undefined> | null,
): SVGSVGElement;
