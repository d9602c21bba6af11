import { log } from '@temporalio/activity';
import { Prisma } from '../../src/generated/prisma/client';
import type { AccessSweepInput, AccessSweepReport } from '../../src/contracts';
import type { ActivityDeps } from '../deps';

/** Users woken per sweep; more wait for the next one. */
const USERS_PER_SWEEP = 1_000;

/**
 * Run by the `access-events-sweep` Schedule: makes sure a delivery run exists for every user with
 * an event still pending after `olderThanMs`. A change wakes its run right after its commit; this
 * catches a wake that failed (Temporal unreachable at that moment) or a run that ended as the
 * signal came. A user whose run is running (say, Retrying through the product's outage) is left
 * as it is: nothing is added to that run's history.
 */
export function createStartPendingDeliveries({ db, accessEvents }: Pick<ActivityDeps, 'db' | 'accessEvents'>) {
  return async function startPendingDeliveries({ olderThanMs }: AccessSweepInput): Promise<AccessSweepReport> {
    if (!accessEvents) return { woken: 0, failed: 0 };
    // On the (status, created_at) index; DISTINCT in PostgreSQL, not over every pending row in the worker.
    const users = await db.$queryRaw<Array<{ userId: string }>>(Prisma.sql`
      SELECT DISTINCT user_id AS "userId" FROM access_events
      WHERE status = 'pending' AND created_at < ${new Date(Date.now() - olderThanMs)}::timestamp(3)
      LIMIT ${USERS_PER_SWEEP}`);
    let failed = 0;
    for (const { userId } of users) {
      await accessEvents.delivery.ensureRunning(userId).catch((err: unknown) => {
        failed++;
        log.warn('could not start an access delivery run', { userId, error: err instanceof Error ? err.message : String(err) });
      });
    }
    const report = { woken: users.length - failed, failed };
    if (users.length > 0) log.info('users with pending access events: their delivery runs are running', report);
    if (failed > 0) throw new Error(`could not start the delivery run of ${failed} user(s); the next sweep tries again`);
    return report;
  };
}
