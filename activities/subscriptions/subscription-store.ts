import { Prisma, type PrismaClient, type PurchaseSource, type Subscription } from '../../src/generated/prisma/client';
import {
  applyPatch,
  deriveStatus,
  planOf,
  type StatusMark,
  type SubscriptionPatch,
  type SubscriptionState,
} from '../../src/lifecycle/subscription-state';
import { lockAndRead, type LockKey } from '../shared/row-lock';
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
  // A checkout usually comes before any other event of its subscription: then one INSERT is all.
  const inserted = change.link ? await insertLinked(db, change, change.link) : null;
  if (inserted) return inserted;
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
        planFacts: planFactsOf(next),
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

/** A subscriptions row as Prisma's model reads it, for raw statements that lock or write and read in one round trip. */
export const SUBSCRIPTION_COLUMNS = Prisma.sql`id, stripe_subscription_id AS "stripeSubscriptionId", user_id AS "userId",
  checkout_session_id AS "checkoutSessionId", stripe_account AS "stripeAccount", stripe_customer_id AS "stripeCustomerId",
  stripe_price_id AS "stripePriceId", tier_id AS "tierId", plan, quantity, seat_limit AS "seatLimit",
  COALESCE(addons, '{}') AS addons, status, past_due_since AS "pastDueSince", cancel_at_period_end AS "cancelAtPeriodEnd",
  current_period_end AS "currentPeriodEnd", has_access AS "hasAccess", access_changed_at AS "accessChangedAt",
  access_state AS "accessState", grace_until AS "graceUntil", source,
  sumo_campaign_id AS "sumoCampaignId", linked_by_event_id AS "linkedByEventId", plan_facts AS "planFacts", versions,
  status_history AS "statusHistory",
  last_event_id AS "lastEventId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The row for this Stripe subscription, created if new, locked, read: one statement. The
 * no-op DO UPDATE takes the row's lock (FOR NO KEY UPDATE, which excludes SELECT … FOR UPDATE
 * and itself) whether the row was there or not, so it is race-free for a new id.
 */
async function lockOrCreate(tx: Tx, stripeSubscriptionId: string): Promise<Subscription> {
  const [row] = await tx.$queryRaw<Subscription[]>(Prisma.sql`
    INSERT INTO subscriptions (id, stripe_subscription_id, status, updated_at)
    VALUES (gen_random_uuid(), ${stripeSubscriptionId}, 'unknown', now())
    ON CONFLICT (stripe_subscription_id) DO UPDATE SET stripe_subscription_id = EXCLUDED.stripe_subscription_id
    RETURNING ${SUBSCRIPTION_COLUMNS}`);
  return row;
}

/** Locks an existing row for the rest of the transaction and reads it, in one statement (null when there is none). */
export function lockSubscription(tx: Tx, where: LockKey<'subscriptions'>): Promise<Subscription | null> {
  return lockAndRead<'subscriptions', Subscription>(tx, 'subscriptions', where, SUBSCRIPTION_COLUMNS);
}

/** What a row holds before any event: the columns' defaults (the state lockOrCreate's new row starts from). */
const NEW_ROW: SubscriptionState = {
  tierId: null,
  quantity: 1,
  sumoQuantity: null,
  priceTierId: null,
  first: {},
  addons: [],
  cancelAtPeriodEnd: false,
  currentPeriodEnd: null,
  stripePriceId: null,
  versions: {},
  statusHistory: [],
};

/**
 * A checkout for a subscription with no row yet: the row as the transaction below would leave
 * it (the patch applied to a new row, linked), in one INSERT … ON CONFLICT DO NOTHING. Null
 * when the row exists (an earlier event, or an earlier attempt): then the locked path decides.
 */
async function insertLinked(db: PrismaClient, change: SubscriptionChange, link: SubscriptionLink): Promise<RecordedChange | null> {
  const next = applyPatch(NEW_ROW, change.patch);
  const derived = deriveStatus(next.statusHistory);
  const plan = planOf(next);
  const eventId = change.patch.eventId;
  const at = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000));
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO subscriptions (id, stripe_subscription_id, user_id, checkout_session_id, source, sumo_campaign_id, linked_by_event_id,
      stripe_account, stripe_customer_id, stripe_price_id, tier_id, quantity, plan_facts, addons, cancel_at_period_end,
      current_period_end, versions, status_history, status, past_due_since, last_event_id, updated_at)
    VALUES (gen_random_uuid(), ${change.stripeSubscriptionId}, ${link.userId}, ${link.checkoutSessionId}, ${link.source}::purchase_source,
      ${link.sumoCampaignId}, ${eventId}, ${change.stripeAccount}, ${change.stripeCustomerId}, ${next.stripePriceId}, ${plan.tierId},
      ${plan.quantity}, ${JSON.stringify(planFactsOf(next))}::jsonb, ${next.addons}::text[], ${next.cancelAtPeriodEnd},
      ${at(next.currentPeriodEnd)}::timestamp(3),
      ${JSON.stringify(next.versions)}::jsonb, ${JSON.stringify(next.statusHistory)}::jsonb, ${derived.status ?? 'unknown'},
      ${at(derived.pastDueSince)}::timestamp(3), ${eventId}, now())
    ON CONFLICT (stripe_subscription_id) DO NOTHING
    RETURNING id`;
  if (rows.length === 0) return null;
  return {
    outcome: 'recorded',
    rowId: rows[0].id,
    userId: link.userId,
    status: derived.status,
    tierId: plan.tierId,
    quantity: plan.quantity,
  };
}

type Row = Subscription;

/** What the plan_facts column keeps: the events' word on the plan, from which planOf derives tier_id and quantity. */
function planFactsOf(state: SubscriptionState) {
  return {
    tierId: state.tierId,
    quantity: state.quantity,
    sumoQuantity: state.sumoQuantity ?? null,
    priceTierId: state.priceTierId ?? null,
    first: state.first ?? {},
  };
}

/** Rows written before plan facts were recorded have none: their tier_id and quantity are what the events said. */
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
