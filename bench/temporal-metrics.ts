/**
 * Counters read off Prometheus text: the Temporal server's requests by operation, and the worker's
 * core metrics (workflow tasks, activations' local activities, polls). Read before and after the
 * burst, their difference per purchase says what one fulfillment asks of Temporal.
 */
export type Counters = Map<string, number>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;
const label = (labels: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

/** The server's `service_requests` summed by operation (all its services: frontend, history, matching). */
export async function serverRequests(metricsUrl: string): Promise<Counters> {
  const counts: Counters = new Map();
  for (const line of (await scrape(metricsUrl)).split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[1] !== 'service_requests') continue;
    const key = `server: ${label(m[2] ?? '', 'operation') ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[3]));
  }
  return counts;
}

/** The worker's counters and histogram counts (`temporal_…`), summed over their labels but the poll kind. */
export async function workerCounters(metricsUrl: string): Promise<Counters> {
  const counts: Counters = new Map();
  for (const line of (await scrape(metricsUrl)).split('\n')) {
    const m = LINE.exec(line);
    if (!m || line.startsWith('#')) continue;
    const name = m[1];
    const histogram = name.endsWith('_count');
    const counter =
      !histogram &&
      !name.endsWith('_bucket') &&
      !name.endsWith('_sum') &&
      /_(total|succeed|empty|hit|miss|failed|request|requests|started|completed|poll_no_task)$/.test(name);
    if (!counter && !histogram) continue;
    const kind = label(m[2] ?? '', 'operation') ?? label(m[2] ?? '', 'poller_type');
    const key = `worker: ${name.replace(/^temporal_/, '')}${kind ? ` (${kind})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[3]));
  }
  return counts;
}

/** (after − before) ÷ per, dropping what did not move. */
export function perPurchase(before: Counters, after: Counters, per: number): Counters {
  return new Map(
    [...after]
      .map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / per] as const)
      .filter(([, v]) => v >= 0.05)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}
