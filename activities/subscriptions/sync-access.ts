import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { FailureType, type AccessSync } from '../../src/contracts';
import { decideAccess } from '../../src/lifecycle/access-policy';
import type { ActivityDeps } from '../deps';
import { setEntitlements } from '../shared/entitlements';
import { inTransaction } from '../shared/transaction';
import { lockSubscription } from './subscription-store';

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

/** What a sync did (the workflow-facing AccessSync, with reviewAt in unix ms). */
export type AccessSyncResult = Omit<AccessSync, 'reviewAt'> & { reviewAt: number | null };

/**
 * Makes the user's entitlements for one subscription equal what its stored state implies
 * (status → access, tier + add-ons → features, tier seats × quantity → seats). It reads the
 * state under the row lock, so whichever event's sync runs last sees the newest state;
 * running it again changes nothing. The syncAccess activity above, and provisionAccess after a
 * checkout, both end here.
 */
export async function syncSubscriptionAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { stripeSubscriptionId: string },
  options: { eventId: string; nowMs: number; graceMs: number },
): Promise<AccessSyncResult> {
  return inTransaction(db, async (tx) => {
    const row = await lockSubscription(tx, where);
    if (!row || !row.userId) {
      return {
        linked: false,
        hasAccess: false,
        reason: 'not linked to a user yet',
        seatLimit: 0,
        granted: [],
        revoked: [],
        reviewAt: null,
      };
    }
    const decision = decideAccess(row.status, row.pastDueSince?.getTime() ?? null, options.nowMs, options.graceMs);
    const tier = row.tierId ? catalog.tier(row.tierId) : undefined;
    // Granting needs the catalogue (what does the tier include?); revoking never does: a
    // retired tier's subscriptions must still lose their access when paused or cancelled.
    if (decision.granted && !tier) {
      throw ApplicationFailure.nonRetryable(
        `subscription ${row.stripeSubscriptionId} has tier "${row.tierId}", which is not in the tier catalogue (event ${options.eventId})`,
        FailureType.UnknownTier,
      );
    }
    const wanted = decision.granted && tier ? catalog.features(tier, row.addons) : [];
    const { granted, revoked } = await setEntitlements(
      tx,
      { subscriptionId: row.id },
      { userId: row.userId, eventId: options.eventId, wanted },
    );
    // Without the tier (retired, access revoked), the last known plan and seats stay on record.
    const seatLimit = tier ? tier.seats * row.quantity : row.seatLimit;
    await tx.subscription.update({
      where: { id: row.id },
      data: {
        plan: tier?.plan ?? row.plan,
        seatLimit,
        hasAccess: decision.granted,
        ...(decision.granted !== row.hasAccess && { accessChangedAt: new Date(options.nowMs) }),
      },
    });
    return { linked: true, hasAccess: decision.granted, reason: decision.reason, seatLimit, granted, revoked, reviewAt: decision.reviewAt };
  });
}
