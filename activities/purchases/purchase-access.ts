import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { FailureType, type PurchaseAccess } from '../../src/contracts';
import { decidePurchaseAccess, purchaseStateOf } from '../../src/lifecycle/purchase-state';
import { lockPurchase } from './purchase-store';

/**
 * Makes the user's entitlements for one one-time purchase equal what its stored state implies
 * (src/lifecycle/purchase-state.ts): the tier's features and add-ons while it has access, tier
 * seats × the codes that still count. Under the row lock, so the last sync sees the newest state;
 * running it again changes nothing. A refund that maps to no whole number of codes is a decision
 * on the refund: the purchase keeps the codes no refund fully covers (status
 * `refund_needs_decision`), and unless `ambiguousRefund` is `keep` (a checkout, which always
 * completes with what the purchase grants) the sync then fails for an operator
 * (PartialRefundNeedsDecision).
 */
export async function syncPurchaseAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { paymentIntentId: string },
  options: { eventId: string; nowMs: number; ambiguousRefund?: 'ask' | 'keep' },
): Promise<PurchaseAccess> {
  const ambiguous: { reason: string | null } = { reason: null };
  const outcome = await db.$transaction(async (tx): Promise<PurchaseAccess> => {
    const row = await lockPurchase(tx, where);
    const linked = !!row?.userId;
    if (!row || !row.userId) {
      const none = { linked, hasAccess: false, activeQuantity: 0, seatLimit: 0, granted: [], revoked: [] };
      return { ...none, status: 'awaiting_checkout', reason: 'checkout not recorded yet' };
    }
    const decided = decidePurchaseAccess(
      { linked, quantity: row.quantity, amount: row.amount, currency: row.currency },
      purchaseStateOf(row.events),
    );
    // A refund of no whole number of codes: recorded (ops show says so), the codes no refund fully
    // covers kept; the failure, when asked for, is thrown after the commit.
    if (decided.kind === 'needs_decision') ambiguous.reason = `purchase ${row.paymentIntentId ?? row.checkoutSessionId}: ${decided.reason}`;
    const decision =
      decided.kind === 'decided'
        ? decided
        : { status: 'refund_needs_decision' as const, granted: true, activeQuantity: decided.activeQuantity, reason: decided.reason };
    const tier = row.tierId ? catalog.tier(row.tierId) : undefined;
    if (decision.granted && !tier) {
      throw ApplicationFailure.nonRetryable(
        `purchase ${row.paymentIntentId ?? row.checkoutSessionId} has tier "${row.tierId}", which is not in the tier catalogue (event ${options.eventId})`,
        FailureType.UnknownTier,
      );
    }
    const wanted =
      decision.granted && tier ? [...new Set([...tier.features, ...row.addons.flatMap((a) => catalog.addonFeatures(a) ?? [])])] : [];
    const held = (await tx.entitlement.findMany({ where: { purchaseId: row.id }, select: { feature: true } })).map((e) => e.feature);
    const revoked = held.filter((f) => !wanted.includes(f)).sort();
    const granted = wanted.filter((f) => !held.includes(f)).sort();
    if (revoked.length > 0) await tx.entitlement.deleteMany({ where: { purchaseId: row.id, feature: { in: revoked } } });
    if (granted.length > 0) {
      await tx.entitlement.createMany({
        data: granted.map((feature) => ({ userId: row.userId!, purchaseId: row.id, feature, grantedByEventId: options.eventId })),
        skipDuplicates: true,
      });
    }
    const seatLimit = decision.granted && tier ? tier.seats * decision.activeQuantity : 0;
    await tx.purchase.update({
      where: { id: row.id },
      data: {
        plan: tier?.plan ?? row.plan,
        status: decision.status,
        activeQuantity: decision.activeQuantity,
        seatLimit,
        hasAccess: decision.granted,
        ...(decision.granted !== row.hasAccess && { accessChangedAt: new Date(options.nowMs) }),
      },
    });
    return {
      linked,
      status: decision.status,
      hasAccess: decision.granted,
      activeQuantity: decision.activeQuantity,
      seatLimit,
      granted,
      revoked,
      reason: decision.reason,
    };
  });
  if (ambiguous.reason && options.ambiguousRefund !== 'keep') {
    throw ApplicationFailure.nonRetryable(
      `${ambiguous.reason}; the codes no refund fully covers stay until an operator decides (event ${options.eventId})`,
      FailureType.PartialRefundNeedsDecision,
    );
  }
  return outcome;
}
