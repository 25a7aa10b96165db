/** Small statistics and formatting helpers shared by the benchmark phases. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (nearest rank); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/** A number with a fixed count of decimals, or "–" when it is not a number. */
export function fixed(value: number, decimals = 1): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : '–';
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** Dollars with enough precision for per-million figures well below a cent. */
export function usd(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '$0';
  if (Math.abs(value) >= 100) return `$${value.toFixed(0)}`;
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  if (Math.abs(value) >= 0.01) return `$${value.toFixed(3)}`;
  return `$${value.toPrecision(2)}`;
}

/** A ratio against a target, as "1.12 ≤ 1.25 ✔" or "1.40 > 1.25 ✘". */
export function verdict(value: number, target: number, direction: 'max' | 'min', decimals = 2): string {
  const ok = direction === 'max' ? value <= target : value >= target;
  const sign = direction === 'max' ? (ok ? '≤' : '>') : ok ? '≥' : '<';
  // A value that rounds to the target shows the digit that decides: 1.253 > 1.25, not 1.25 > 1.25.
  let shown = decimals;
  while (shown < 4 && value !== target && Number(fixed(value, shown)) === target) shown++;
  return `${fixed(value, shown)} ${sign} ${target} ${ok ? '✔' : '✘'}`;
}

export function meets(value: number, target: number, direction: 'max' | 'min'): boolean {
  return direction === 'max' ? value <= target : value >= target;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A deterministic shuffle (so that a run can be repeated), used to vary the order of interleaved measurements. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed >>> 0 || 1;
  for (let i = result.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
