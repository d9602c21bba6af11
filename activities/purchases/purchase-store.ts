import type { Prisma, PrismaClient, PurchaseSource } from '../../src/generated/prisma/client';
import { applyPurchaseEvent, purchaseStateOf, refundedAmount, type PurchaseEventPatch } from '../../src/lifecycle/purchase-state';
import { lockRow, type LockKey } from '../shared/row-lock';
import { inTransaction, type Tx } from '../shared/transaction';

/** How a purchase is found: its payment intent (what refunds and disputes name), else its session. */
export type PurchaseKey = { paymentIntentId: string; checkoutSessionId?: string } | { paymentIntentId: null; checkoutSessionId: string };

/** What a paid payment-mode checkout records. */
export interface PurchaseLink {
  userId: string;
  checkoutSessionId: string;
  source: PurchaseSource;
  sumoCampaignId: string | null;
  tierId: string;
  plan: string;
  quantity: number;
  addons: string[];
  amount: number | null;
  currency: string | null;
}

export interface PurchaseChange {
  key: PurchaseKey;
  eventId: string;
  stripeAccount: string | null;
  stripeCustomerId: string | null;
  link?: PurchaseLink;
  event?: PurchaseEventPatch;
}

export type RecordedPurchaseChange =
  { outcome: 'recorded'; rowId: string; userId: string | null } | { outcome: 'owned_by_another_user'; rowId: string };

/**
 * Records a checkout's link or a refund's / dispute's facts on the purchase row, in one
 * transaction holding the row's lock: concurrent events for one payment apply one after the
 * other. The row is created by whichever event comes first; the first link wins.
 */
export async function recordPurchaseChange(db: PrismaClient, change: PurchaseChange): Promise<RecordedPurchaseChange> {
  return inTransaction(db, async (tx) => {
    const row = await lockOrCreate(tx, change.key);
    if (change.link && row.userId && row.userId !== change.link.userId) return { outcome: 'owned_by_another_user', rowId: row.id };
    const link = change.link && !row.userId ? change.link : null;
    const events = change.event ? applyPurchaseEvent(purchaseStateOf(row.events), change.event) : purchaseStateOf(row.events);
    await tx.purchase.update({
      where: { id: row.id },
      data: {
        events: events as unknown as Prisma.InputJsonObject,
        amountRefunded: refundedAmount(events),
        stripeAccount: row.stripeAccount ?? change.stripeAccount,
        stripeCustomerId: row.stripeCustomerId ?? change.stripeCustomerId,
        lastEventId: change.eventId,
        ...(link && {
          userId: link.userId,
          checkoutSessionId: link.checkoutSessionId,
          source: link.source,
          sumoCampaignId: link.sumoCampaignId,
          tierId: link.tierId,
          plan: link.plan,
          quantity: link.quantity,
          addons: link.addons,
          amount: link.amount,
          currency: link.currency,
          linkedByEventId: change.eventId,
        }),
      },
    });
    return { outcome: 'recorded', rowId: row.id, userId: row.userId ?? link?.userId ?? null };
  });
}

/** INSERT … ON CONFLICT DO NOTHING, then the row lock: race-free for a new key. */
async function lockOrCreate(tx: Tx, key: PurchaseKey) {
  const where = key.paymentIntentId ? { paymentIntentId: key.paymentIntentId } : { checkoutSessionId: key.checkoutSessionId! };
  await tx.purchase.createMany({ data: [{ ...where, status: 'awaiting_checkout' }], skipDuplicates: true });
  await lockRow(tx, 'purchases', where);
  return tx.purchase.findUniqueOrThrow({ where });
}

/** Locks an existing purchase row for the rest of the transaction (null when there is none). */
export async function lockPurchase(tx: Tx, where: LockKey<'purchases'>) {
  const id = await lockRow(tx, 'purchases', where);
  return id === null ? null : tx.purchase.findUniqueOrThrow({ where: { id } });
}
