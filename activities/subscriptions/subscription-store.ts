import type { Prisma, PrismaClient, PurchaseSource } from '../../src/generated/prisma/client';
import {
  applyPatch,
  deriveStatus,
  planOf,
  type StatusMark,
  type SubscriptionPatch,
  type SubscriptionState,
} from '../../src/lifecycle/subscription-state';
import { lockRow, type LockKey } from '../shared/row-lock';
import { inTransaction, type Tx } from '../shared/transaction';

export interface SubscriptionLink {
  userId: string;
  checkoutSessionId: string;
  source: PurchaseSource;
  sumoCampaignId: string | null;
}

export interface SubscriptionChange {
  stripeSubscriptionId: string;
  patch: SubscriptionPatch;
  stripeAccount: string | null;
  stripeCustomerId: string | null;
  /** A paid checkout links the subscription to its user. */
  link?: SubscriptionLink;
}

export type RecordedChange =
  | { outcome: 'recorded'; rowId: string; userId: string | null; status: string | null; tierId: string | null; quantity: number }
  | { outcome: 'owned_by_another_user'; rowId: string };

/**
 * Records what one event says about a subscription, in one transaction that holds the
 * row's lock, so concurrent events for the same subscription apply one after the other.
 * The row is created on the first event, linked or not: events that arrive before their
 * checkout are kept, keyed by the Stripe subscription id, and count once it is linked.
 */
export async function recordSubscriptionChange(db: PrismaClient, change: SubscriptionChange): Promise<RecordedChange> {
  return inTransaction(db, async (tx) => {
    const row = await lockOrCreate(tx, change.stripeSubscriptionId);
    if (change.link && row.userId && row.userId !== change.link.userId) return { outcome: 'owned_by_another_user', rowId: row.id };

    const next = applyPatch(stateOf(row), change.patch);
    const derived = deriveStatus(next.statusHistory);
    const plan = planOf(next);
    const link = change.link && !row.userId ? change.link : null;
    await tx.subscription.update({
      where: { id: row.id },
      data: {
        tierId: plan.tierId,
        quantity: plan.quantity,
        planFacts: {
          tierId: next.tierId,
          quantity: next.quantity,
          sumoQuantity: next.sumoQuantity ?? null,
          priceTierId: next.priceTierId ?? null,
          first: next.first ?? {},
        },
        addons: next.addons,
        cancelAtPeriodEnd: next.cancelAtPeriodEnd,
        currentPeriodEnd: next.currentPeriodEnd === null ? null : new Date(next.currentPeriodEnd * 1000),
        stripePriceId: next.stripePriceId,
        versions: next.versions,
        statusHistory: next.statusHistory as unknown as Prisma.InputJsonArray,
        status: derived.status ?? 'unknown',
        pastDueSince: derived.pastDueSince === null ? null : new Date(derived.pastDueSince * 1000),
        stripeAccount: row.stripeAccount ?? change.stripeAccount,
        stripeCustomerId: row.stripeCustomerId ?? change.stripeCustomerId,
        lastEventId: change.patch.eventId,
        ...(link && {
          userId: link.userId,
          checkoutSessionId: link.checkoutSessionId,
          source: link.source,
          sumoCampaignId: link.sumoCampaignId,
          linkedByEventId: change.patch.eventId,
        }),
      },
    });
    return {
      outcome: 'recorded',
      rowId: row.id,
      userId: row.userId ?? link?.userId ?? null,
      status: derived.status,
      tierId: plan.tierId,
      quantity: plan.quantity,
    };
  });
}

/** INSERT … ON CONFLICT DO NOTHING, then the row lock: race-free for a new id. */
async function lockOrCreate(tx: Tx, stripeSubscriptionId: string) {
  await tx.subscription.createMany({ data: [{ stripeSubscriptionId, status: 'unknown' }], skipDuplicates: true });
  await lockRow(tx, 'subscriptions', { stripeSubscriptionId });
  return tx.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId } });
}

/** Locks an existing row for the rest of the transaction (null when there is none). */
export async function lockSubscription(tx: Tx, where: LockKey<'subscriptions'>) {
  const id = await lockRow(tx, 'subscriptions', where);
  return id === null ? null : tx.subscription.findUniqueOrThrow({ where: { id } });
}

type Row = Awaited<ReturnType<typeof lockOrCreate>>;

/** Rows written before issue 20 have no plan facts: their tier_id and quantity are what the events said. */
function stateOf(row: Row): SubscriptionState {
  const facts = (row.planFacts ?? {}) as Partial<Pick<SubscriptionState, 'tierId' | 'quantity' | 'sumoQuantity' | 'priceTierId' | 'first'>>;
  return {
    tierId: facts.tierId !== undefined ? facts.tierId : row.tierId,
    quantity: facts.quantity ?? row.quantity,
    sumoQuantity: facts.sumoQuantity ?? null,
    priceTierId: facts.priceTierId ?? null,
    first: facts.first ?? {},
    addons: row.addons,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    currentPeriodEnd: row.currentPeriodEnd ? Math.floor(row.currentPeriodEnd.getTime() / 1000) : null,
    stripePriceId: row.stripePriceId,
    versions: (row.versions ?? {}) as SubscriptionState['versions'],
    statusHistory: (row.statusHistory ?? []) as unknown as StatusMark[],
  };
}
