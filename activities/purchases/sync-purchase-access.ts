import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { FailureType, type PurchaseAccess } from '../../src/contracts';
import { decidePurchaseAccess, purchaseStateOf } from '../../src/lifecycle/purchase-state';
import type { AccessEventsDeps, ActivityDeps } from '../deps';
import { recordAccessChange, wakeDelivery, type AccessChange } from '../shared/access-changes';
import { setEntitlements } from '../shared/entitlements';
import { inTransaction } from '../shared/transaction';
import { lockPurchase } from './purchase-store';

export interface SyncPurchaseAccessInput {
  eventId: string;
  /** The row a checkout recorded, or the payment a refund / dispute names. */
  purchase: { id: string } | { paymentIntentId: string };
  /** `keep` (a checkout): a refund of no whole number of codes does not fail the sync (see applyPurchaseAccess). */
  ambiguousRefund?: 'ask' | 'keep';
}

/**
 * Grants, lowers or revokes a lifetime purchase's access to match its stored state: the step
 * of the same name after a lifetime checkout, a refund or a dispute.
 */
export function createSyncPurchaseAccess({ db, catalog, accessEvents }: Pick<ActivityDeps, 'db' | 'catalog' | 'accessEvents'>) {
  return async function syncPurchaseAccess({ eventId, purchase, ambiguousRefund }: SyncPurchaseAccessInput): Promise<PurchaseAccess> {
    const access = await applyPurchaseAccess(db, catalog, purchase, { eventId, nowMs: Date.now(), ambiguousRefund, accessEvents });
    log.info(access.linked ? 'purchase access synced' : 'purchase access not synced: checkout not recorded yet', {
      status: access.status,
      hasAccess: access.hasAccess,
      activeQuantity: access.activeQuantity,
      seatLimit: access.seatLimit,
      granted: access.granted,
      revoked: access.revoked,
    });
    return access;
  };
}

/**
 * Makes the user's entitlements for one one-time purchase equal what its stored state implies
 * (src/lifecycle/purchase-state.ts): the tier's features and add-ons while it has access, tier
 * seats × the codes that still count. Under the row lock, so the last sync sees the newest state;
 * running it again changes nothing. A refund that maps to no whole number of codes is a decision
 * on the refund: the purchase keeps the codes no refund fully covers (status
 * `refund_needs_decision`), and unless `ambiguousRefund` is `keep` (a checkout, which always
 * completes with what the purchase grants) the sync then fails for an operator
 * (PartialRefundNeedsDecision). With access events on, the transaction also writes the access
 * event of a change the product sees, and the user's delivery run is woken after the commit.
 */
async function applyPurchaseAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { paymentIntentId: string },
  options: { eventId: string; nowMs: number; ambiguousRefund?: 'ask' | 'keep'; accessEvents: AccessEventsDeps | null },
): Promise<PurchaseAccess> {
  const ambiguous: { reason: string | null } = { reason: null };
  const told: { change: AccessChange | null } = { change: null };
  const outcome = await inTransaction(db, async (tx): Promise<PurchaseAccess> => {
    told.change = null;
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
    const wanted = decision.granted && tier ? catalog.features(tier, row.addons) : [];
    const { granted, revoked } = await setEntitlements(
      tx,
      { purchaseId: row.id },
      { userId: row.userId, eventId: options.eventId, wanted },
    );
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
    if (options.accessEvents) told.change = await recordAccessChange(tx, { userId: row.userId, causeEventId: options.eventId });
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
  await wakeDelivery(options.accessEvents, told.change);
  if (ambiguous.reason && options.ambiguousRefund !== 'keep') {
    throw ApplicationFailure.nonRetryable(
      `${ambiguous.reason}; the codes no refund fully covers stay until an operator decides (event ${options.eventId})`,
      FailureType.PartialRefundNeedsDecision,
    );
  }
  return outcome;
}
