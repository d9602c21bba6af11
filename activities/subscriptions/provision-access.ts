import { log } from '@temporalio/activity';
import { syncSubscriptionAccess } from './sync-access';
import type { ProvisionResult } from '../../src/contracts';
import type { ActivityDeps } from '../deps';

export interface ProvisionAccessInput {
  eventId: string;
  userId: string;
  subscriptionRowId: string;
  /** What the checkout bought; the grant itself follows the subscription's stored state,
   *  which a newer lifecycle event (say, a cancellation) may already have changed. */
  features: string[];
  seatLimit: number;
}

/**
 * Grants what the subscription's newest known state implies (usually exactly what the
 * checkout bought). `granted` lists the features this event granted, which stays the same
 * when the activity is retried after a lost response.
 */
export function createProvisionAccess({
  db,
  catalog,
  access,
  accessEvents,
}: Pick<ActivityDeps, 'db' | 'catalog' | 'access' | 'accessEvents'>) {
  return async function provisionAccess(input: ProvisionAccessInput): Promise<ProvisionResult> {
    const sync = await syncSubscriptionAccess(
      db,
      catalog,
      { id: input.subscriptionRowId },
      {
        eventId: input.eventId,
        nowMs: Date.now(),
        graceMs: access.pastDueGraceMs,
        accessEvents,
      },
    );
    // What the subscription holds after the sync, as the sync wrote it (no second read).
    const granted = sync.holding.filter((e) => e.grantedByEventId === input.eventId).map((e) => e.feature);
    const alreadyHeld = sync.holding.filter((e) => e.grantedByEventId !== input.eventId).map((e) => e.feature);
    log.info('access provisioned', {
      userId: input.userId,
      hasAccess: sync.hasAccess,
      reason: sync.reason,
      granted,
      alreadyHeld,
      seatLimit: sync.seatLimit,
    });
    return {
      granted,
      alreadyHeld,
      seatLimit: sync.seatLimit,
      hasAccess: sync.hasAccess,
      reviewAt: sync.reviewAt === null ? null : new Date(sync.reviewAt).toISOString(),
    };
  };
}
