import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import { Prisma, type PrismaClient, type Subscription } from '../../src/generated/prisma/client';
import { FailureType, type AccessSync } from '../../src/contracts';
import { decideAccess } from '../../src/lifecycle/access-policy';
import type { ActivityDeps } from '../deps';
import { entitlementDiff, setEntitlements, type Holding } from '../shared/entitlements';
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
    const { holding: _held, ...result } = sync;
    return { ...result, reviewAt: sync.reviewAt === null ? null : new Date(sync.reviewAt).toISOString() };
  };
}

/** What a sync did (the workflow-facing AccessSync, with reviewAt in unix ms), and the entitlements held after it. */
export type AccessSyncResult = Omit<AccessSync, 'reviewAt'> & { reviewAt: number | null; holding: Holding[] };

const NOT_LINKED: AccessSyncResult = {
  linked: false,
  hasAccess: false,
  reason: 'not linked to a user yet',
  seatLimit: 0,
  granted: [],
  revoked: [],
  reviewAt: null,
  holding: [],
};

/**
 * Makes the user's entitlements for one subscription equal what its stored state implies
 * (status → access, tier + add-ons → features, tier seats × quantity → seats), so that
 * whichever event's sync runs last applies the newest state; running it again changes nothing.
 * The syncAccess activity above, and provisionAccess after a checkout, both end here.
 *
 * Two round trips in the usual case: one read (the row, its version `xmin`, its entitlements),
 * then one statement that locks the row only if its version is still the one read and applies
 * the decision (entitlement diff and access columns). Every write to a subscription's
 * entitlements updates its row in the same transaction (here and in the locked path), so an
 * unchanged version means unchanged entitlements too. If the row changed in between, the
 * statement writes nothing and the sync runs again under the row's lock (as it always did).
 */
export async function syncSubscriptionAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { stripeSubscriptionId: string },
  options: { eventId: string; nowMs: number; graceMs: number },
): Promise<AccessSyncResult> {
  const seen = await readForSync(db, where);
  // Nothing to write for a row that is not there or not linked; a lock would not change that.
  if (!seen?.userId) return NOT_LINKED;
  const applied = await applyIfUnchanged(db, seen, decide(seen, catalog, options), options);
  if (applied) return applied;
  return inTransaction(db, async (tx) => {
    const row = await lockSubscription(tx, where);
    if (!row || !row.userId) return NOT_LINKED;
    const decision = decide(row, catalog, options);
    const { granted, revoked, holding } = await setEntitlements(
      tx,
      { subscriptionId: row.id },
      { userId: row.userId, eventId: options.eventId, wanted: decision.wanted },
    );
    await tx.subscription.update({
      where: { id: row.id },
      data: {
        plan: decision.plan,
        seatLimit: decision.seatLimit,
        hasAccess: decision.granted,
        ...(decision.granted !== row.hasAccess && { accessChangedAt: new Date(options.nowMs) }),
      },
    });
    return { ...decision.result, granted, revoked, holding };
  });
}

type SyncRow = Pick<
  Subscription,
  | 'id'
  | 'stripeSubscriptionId'
  | 'userId'
  | 'tierId'
  | 'plan'
  | 'quantity'
  | 'seatLimit'
  | 'addons'
  | 'status'
  | 'pastDueSince'
  | 'hasAccess'
>;

/** What the row's state implies: access, features, seats and plan (without the tier, the last known plan and seats stay). */
function decide(row: SyncRow, catalog: Catalog, options: { eventId: string; nowMs: number; graceMs: number }) {
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
  const seatLimit = tier ? tier.seats * row.quantity : row.seatLimit;
  return {
    granted: decision.granted,
    wanted: decision.granted && tier ? catalog.features(tier, row.addons) : [],
    seatLimit,
    plan: tier?.plan ?? row.plan,
    result: { linked: true, hasAccess: decision.granted, reason: decision.reason, seatLimit, reviewAt: decision.reviewAt },
  };
}

type Seen = SyncRow & { version: string; held: Holding[] };

/** The row, its version (xmin: changes with every update of the row) and its entitlements, in one read. */
async function readForSync(db: PrismaClient, where: { id: string } | { stripeSubscriptionId: string }): Promise<Seen | null> {
  const key = 'id' in where ? Prisma.sql`s.id = ${where.id}` : Prisma.sql`s.stripe_subscription_id = ${where.stripeSubscriptionId}`;
  const rows = await db.$queryRaw<Seen[]>(Prisma.sql`
    SELECT s.id, s.stripe_subscription_id AS "stripeSubscriptionId", s.user_id AS "userId", s.tier_id AS "tierId", s.plan,
      s.quantity, s.seat_limit AS "seatLimit", COALESCE(s.addons, '{}') AS addons, s.status, s.past_due_since AS "pastDueSince",
      s.has_access AS "hasAccess", s.xmin::text AS version,
      COALESCE((SELECT json_agg(json_build_object('feature', e.feature, 'grantedByEventId', e.granted_by_event_id))
                FROM entitlements e WHERE e.subscription_id = s.id), '[]') AS held
    FROM subscriptions s WHERE ${key}`);
  return rows[0] ?? null;
}

/** Applies the decision in one statement if the row is still at the version read; null (nothing written) if not. */
async function applyIfUnchanged(
  db: PrismaClient,
  seen: Seen,
  decision: ReturnType<typeof decide>,
  options: { eventId: string; nowMs: number },
): Promise<AccessSyncResult | null> {
  const { granted, revoked, holding } = entitlementDiff(seen.held, { eventId: options.eventId, wanted: decision.wanted });
  const accessChanged = decision.granted !== seen.hasAccess;
  const [{ applied }] = await db.$queryRaw<{ applied: number }[]>`
    WITH locked AS (
      SELECT id FROM subscriptions WHERE id = ${seen.id} AND xmin::text = ${seen.version} FOR UPDATE
    ), revoked AS (
      DELETE FROM entitlements e USING locked WHERE e.subscription_id = locked.id AND e.feature = ANY(${revoked}::text[])
    ), granted AS (
      INSERT INTO entitlements (id, user_id, subscription_id, feature, granted_by_event_id)
      SELECT gen_random_uuid(), ${seen.userId}, locked.id, feature, ${options.eventId} FROM locked, unnest(${granted}::text[]) AS feature
    ), updated AS (
      UPDATE subscriptions s SET plan = ${decision.plan}, seat_limit = ${decision.seatLimit}, has_access = ${decision.granted},
        access_changed_at = CASE WHEN ${accessChanged} THEN ${new Date(options.nowMs)}::timestamp(3) ELSE s.access_changed_at END,
        updated_at = now()
      FROM locked WHERE s.id = locked.id RETURNING s.id
    )
    SELECT count(*)::int AS applied FROM updated`;
  return applied === 1 ? { ...decision.result, granted, revoked, holding } : null;
}
