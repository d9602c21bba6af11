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
 *  after 2 s and the pool's connect after 3 s by themselves, so normally each ends on its own; a ping
 *  between two retries can outlast it (the client's backoff runs past the call's deadline), and the
 *  app's close waits for it (`settled`). */
const PROBE_DEADLINE_MS = 3_500;

/**
 * /readyz's answer, cheap and bounded: one database query and one Temporal call per
 * READINESS_TTL_MS whatever the request rate (UNREADY_TTL_MS while unready), shared by every request
 * that comes meanwhile, and never slower than PROBE_DEADLINE_MS when a dependency hangs.
 */
export function createReadinessProbe(
  deps: { db: PrismaClient; fulfillments: FulfillmentStarter },
  { ttlMs = READINESS_TTL_MS, now = () => Date.now() } = {},
): { read: () => Promise<Readiness>; settled: () => Promise<void> } {
  let cached: { at: number; ttl: number; answer: Promise<Readiness> } | null = null;
  // Checks answered by the backstop but still running: the app's close waits for them, so that no
  // call (a Temporal ping between two retries) outlives the connection it runs on.
  const running = new Set<Promise<unknown>>();
  const settled = async () => void (await Promise.allSettled([...running]));
  const read = () => {
    if (cached && now() - cached.at < cached.ttl) return cached.answer;
    const entry = { at: now(), ttl: ttlMs, answer: probe(deps, running) };
    // While the probe runs every request shares it; once answered, an unready answer is kept less long.
    void entry.answer.then(({ ready }) => {
      if (!ready) entry.ttl = Math.min(ttlMs, UNREADY_TTL_MS);
    });
    cached = entry;
    return entry.answer;
  };
  return { read, settled };
}

async function probe(deps: { db: PrismaClient; fulfillments: FulfillmentStarter }, running: Set<Promise<unknown>>): Promise<Readiness> {
  const [temporal, database] = await Promise.all([
    check(() => deps.fulfillments.ping(), running),
    check(() => deps.db.$queryRaw`SELECT 1`, running),
  ]);
  return { ready: temporal === 'ok' && database === 'ok', temporal, database };
}

async function check(run: () => Promise<unknown>, running: Set<Promise<unknown>>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), PROBE_DEADLINE_MS);
  });
  const call = run();
  running.add(call);
  void call.then(
    () => running.delete(call),
    () => running.delete(call),
  );
  try {
    return await Promise.race([call.then(() => 'ok' as const), deadline]);
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
