import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { FailureType, type AccessSync } from '../../src/contracts';
import { decideAccess } from '../../src/lifecycle/access-policy';
import { lockSubscription } from './subscription-store';
import { TRANSACTION_OPTIONS } from '../transaction-options';

/** What a sync did (the workflow-facing AccessSync, with reviewAt in unix ms). */
export type AccessSyncResult = Omit<AccessSync, 'reviewAt'> & { reviewAt: number | null };

/**
 * Makes the user's entitlements for one subscription equal what its stored state implies
 * (status → access, tier + add-ons → features, tier seats × quantity → seats). It reads the
 * state under the row lock, so whichever event's sync runs last sees the newest state;
 * running it again changes nothing.
 */
export async function syncSubscriptionAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { stripeSubscriptionId: string },
  options: { eventId: string; nowMs: number; graceMs: number },
): Promise<AccessSyncResult> {
  return db.$transaction(async (tx) => {
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
    const wanted =
      decision.granted && tier ? [...new Set([...tier.features, ...row.addons.flatMap((a) => catalog.addonFeatures(a) ?? [])])] : [];
    const held = (await tx.entitlement.findMany({ where: { subscriptionId: row.id }, select: { feature: true } })).map((e) => e.feature);
    const revoked = held.filter((f) => !wanted.includes(f)).sort();
    const granted = wanted.filter((f) => !held.includes(f)).sort();
    if (revoked.length > 0) await tx.entitlement.deleteMany({ where: { subscriptionId: row.id, feature: { in: revoked } } });
    if (granted.length > 0) {
      await tx.entitlement.createMany({
        data: granted.map((feature) => ({ userId: row.userId!, subscriptionId: row.id, feature, grantedByEventId: options.eventId })),
        skipDuplicates: true,
      });
    }
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
  }, TRANSACTION_OPTIONS);
}
