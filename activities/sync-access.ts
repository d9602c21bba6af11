import { log } from '@temporalio/activity';
import { syncSubscriptionAccess } from './subscriptions/access-sync';
import type { AccessSync } from '../src/contracts';
import type { ActivityDeps } from './deps';

export interface SyncAccessInput {
  eventId: string;
  stripeSubscriptionId: string;
}

/** Grants or revokes the linked user's access to match the subscription's stored state. */
export function createSyncAccess({ db, catalog, access }: Pick<ActivityDeps, 'db' | 'catalog' | 'access'>) {
  return async function syncAccess({ eventId, stripeSubscriptionId }: SyncAccessInput): Promise<AccessSync> {
    const sync = await syncSubscriptionAccess(
      db,
      catalog,
      { stripeSubscriptionId },
      { eventId, nowMs: Date.now(), graceMs: access.pastDueGraceMs },
    );
    log.info(sync.linked ? 'access synced' : 'access not synced: subscription not linked to a user yet', {
      stripeSubscriptionId,
      hasAccess: sync.hasAccess,
      reason: sync.reason,
      seatLimit: sync.seatLimit,
      granted: sync.granted,
      revoked: sync.revoked,
    });
    return { ...sync, reviewAt: sync.reviewAt === null ? null : new Date(sync.reviewAt).toISOString() };
  };
}
