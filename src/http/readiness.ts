import type { PrismaClient } from '../generated/prisma/client';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';

export type DependencyState = 'ok' | 'unreachable';
export interface Readiness {
  ready: boolean;
  temporal: DependencyState;
  database: DependencyState;
}

/** How long one probe's answer is reused: a load balancer polling every second, or anyone on the
 *  public port polling a thousand times a second, costs the dependencies one probe per window. */
export const READINESS_TTL_MS = 5_000;
/** An unready answer is reused for less: a process starting up is seen ready soon after it is. */
const UNREADY_TTL_MS = 1_000;
/** A probe that has not answered by then counts as unreachable. A backstop: Temporal's ping gives up
 *  after 2 s and the pool's connect after 3 s by themselves, so normally each ends on its own (and a
 *  ping abandoned mid-retry would outlive the request). */
const PROBE_DEADLINE_MS = 3_500;

/**
 * /readyz's answer, cheap and bounded: one database query and one Temporal call per
 * READINESS_TTL_MS whatever the request rate (UNREADY_TTL_MS while unready), shared by every request
 * that comes meanwhile, and never slower than PROBE_DEADLINE_MS when a dependency hangs.
 */
export function createReadinessProbe(
  deps: { db: PrismaClient; fulfillments: FulfillmentStarter },
  { ttlMs = READINESS_TTL_MS, now = () => Date.now() } = {},
): () => Promise<Readiness> {
  let cached: { at: number; ttl: number; answer: Promise<Readiness> } | null = null;
  return () => {
    if (cached && now() - cached.at < cached.ttl) return cached.answer;
    const entry = { at: now(), ttl: ttlMs, answer: probe(deps) };
    // While the probe runs every request shares it; once answered, an unready answer is kept less long.
    void entry.answer.then(({ ready }) => {
      if (!ready) entry.ttl = Math.min(ttlMs, UNREADY_TTL_MS);
    });
    cached = entry;
    return entry.answer;
  };
}

async function probe(deps: { db: PrismaClient; fulfillments: FulfillmentStarter }): Promise<Readiness> {
  const [temporal, database] = await Promise.all([check(() => deps.fulfillments.ping()), check(() => deps.db.$queryRaw`SELECT 1`)]);
  return { ready: temporal === 'ok' && database === 'ok', temporal, database };
}

async function check(run: () => Promise<unknown>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), PROBE_DEADLINE_MS);
  });
  try {
    return await Promise.race([run().then(() => 'ok' as const), deadline]);
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
