import type { StackResult } from './measure';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Each figure's median over several runs of one stack (BENCH_ROUNDS). */
export function medianOf(runs: StackResult[]): StackResult {
  const merge = (values: unknown[]): unknown => {
    const [first] = values;
    if (typeof first === 'number') return median(values as number[]);
    if (first instanceof Map) {
      const keys = new Set((values as Map<string, number>[]).flatMap((m) => [...m.keys()]));
      return new Map([...keys].map((k) => [k, median((values as Map<string, number>[]).map((m) => m.get(k) ?? 0))]));
    }
    if (first && typeof first === 'object') {
      return Object.fromEntries(Object.keys(first).map((k) => [k, merge(values.map((v) => (v as Record<string, unknown>)[k]))]));
    }
    return first;
  };
  const merged = merge(runs) as StackResult;
  // Counts are summed, so that one run's duplicate or lost purchase shows.
  const total = (k: keyof StackResult['check']) => runs.reduce((n, r) => n + r.check[k], 0);
  merged.check = {
    purchases: total('purchases'),
    fulfilled: total('fulfilled'),
    emails: total('emails'),
    duplicateEmails: total('duplicateEmails'),
    unavailable: total('unavailable'),
  };
  return merged;
}
