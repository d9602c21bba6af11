import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalog } from '../../src/catalog/catalog';
import { Prisma, type PrismaClient, type Subscription } from '../../src/generated/prisma/client';
import { FailureType, type AccessState, type AccessSync } from '../../src/contracts';
import { decideAccess } from '../../src/lifecycle/access-policy';
import type { AccessEventsDeps, ActivityDeps } from '../deps';
import { recordAccessChange, wakeDelivery, type AccessChange } from '../shared/access-changes';
import { entitlementDiff, setEntitlements, type Holding } from '../shared/entitlements';
import { inTransaction } from '../shared/transaction';
import { lockSubscription } from './subscription-store';

export interface SyncAccessInput {
  eventId: string;
  stripeSubscriptionId: string;
}

/** Grants or revokes the linked user's access to match the subscription's stored state. */
export function createSyncAccess({ db, catalog, access, accessEvents }: Pick<ActivityDeps, 'db' | 'catalog' | 'access' | 'accessEvents'>) {
  return async function syncAccess({ eventId, stripeSubscriptionId }: SyncAccessInput): Promise<AccessSync> {
    const sync = await syncSubscriptionAccess(
      db,
      catalog,
      { stripeSubscriptionId },
      { eventId, nowMs: Date.now(), graceMs: access.pastDueGraceMs, accessEvents },
    );
    log.info(sync.linked ? 'access synced' : 'access not synced: subscription not linked to a user yet', {
      stripeSubscriptionId,
      hasAccess: sync.hasAccess,
      reason: sync.reason,
      seatLimit: sync.seatLimit,
      granted: sync.granted,
      revoked: sync.revoked,
    });
    const { holding: _held, change: _change, ...result } = sync;
    return { ...result, reviewAt: sync.reviewAt === null ? null : new Date(sync.reviewAt).toISOString() };
  };
}

/** What a sync did (the workflow-facing AccessSync, with reviewAt in unix ms), the entitlements held after it,
 *  and the access event it wrote (never part of the activity's result: the workflows' histories stay as they were). */
export type AccessSyncResult = Omit<AccessSync, 'reviewAt'> & { reviewAt: number | null; holding: Holding[]; change: AccessChange | null };

const NOT_LINKED: AccessSyncResult = {
  linked: false,
  hasAccess: false,
  reason: 'not linked to a user yet',
  seatLimit: 0,
  granted: [],
  revoked: [],
  reviewAt: null,
  holding: [],
  change: null,
};

export interface SyncOptions {
  eventId: string;
  nowMs: number;
  graceMs: number;
  /** On (APP_WEBHOOK_URL set): a change the product sees writes an access event in the sync's transaction. */
  accessEvents?: AccessEventsDeps | null;
}

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
 *
 * With access events on, a change the product would see (access, state, grace date, seats, plan,
 * features) takes the locked path, whose transaction also writes the access event; after its
 * commit the user's delivery run is woken.
 */
export async function syncSubscriptionAccess(
  db: PrismaClient,
  catalog: Catalog,
  where: { id: string } | { stripeSubscriptionId: string },
  options: SyncOptions,
): Promise<AccessSyncResult> {
  const seen = await readForSync(db, where);
  // Nothing to write for a row that is not there or not linked; a lock would not change that.
  if (!seen?.userId) return NOT_LINKED;
  const decision = decide(seen, catalog, options);
  const recordChanges = !!options.accessEvents;
  const applied =
    recordChanges && seenChanges(seen, decision, options.eventId) ? null : await applyIfUnchanged(db, seen, decision, options);
  if (applied) return applied;
  const result = await inTransaction(db, async (tx): Promise<AccessSyncResult> => {
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
        accessState: decision.accessState,
        graceUntil: decision.graceUntil,
        ...(decision.granted !== row.hasAccess && { accessChangedAt: new Date(options.nowMs) }),
      },
    });
    const change = recordChanges ? await recordAccessChange(tx, { userId: row.userId, causeEventId: options.eventId }) : null;
    return { ...decision.result, granted, revoked, holding, change };
  });
  await wakeDelivery(options.accessEvents ?? null, result.change);
  return result;
}

/** Whether applying the decision changes anything the product sees (then the locked path writes its access event). */
function seenChanges(seen: Seen, decision: Decision, eventId: string): boolean {
  const { granted, revoked } = entitlementDiff(seen.held, { eventId, wanted: decision.wanted });
  return (
    granted.length > 0 ||
    revoked.length > 0 ||
    decision.granted !== seen.hasAccess ||
    decision.seatLimit !== seen.seatLimit ||
    decision.plan !== seen.plan ||
    decision.accessState !== seen.accessState ||
    (decision.graceUntil?.getTime() ?? null) !== (seen.graceUntil?.getTime() ?? null)
  );
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
  | 'accessState'
  | 'graceUntil'
>;

type Decision = ReturnType<typeof decide>;

/** What the row's state implies: access, features, seats and plan (without the tier, the last known plan and seats stay),
 *  and what the product is told: active, grace (until the review), suspended (paused) or revoked. */
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
  const accessState: AccessState = decision.granted
    ? decision.reviewAt === null
      ? 'active'
      : 'grace'
    : row.status === 'paused'
      ? 'suspended'
      : 'revoked';
  return {
    granted: decision.granted,
    accessState,
    graceUntil: accessState === 'grace' && decision.reviewAt !== null ? new Date(decision.reviewAt) : null,
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
      s.has_access AS "hasAccess", s.access_state AS "accessState", s.grace_until AS "graceUntil", s.xmin::text AS version,
      COALESCE((SELECT json_agg(json_build_object('feature', e.feature, 'grantedByEventId', e.granted_by_event_id))
                FROM entitlements e WHERE e.subscription_id = s.id), '[]') AS held
    FROM subscriptions s WHERE ${key}`);
  return rows[0] ?? null;
}

/** Applies the decision in one statement if the row is still at the version read; null (nothing written) if not. */
async function applyIfUnchanged(
  db: PrismaClient,
  seen: Seen,
  decision: Decision,
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
        access_state = ${decision.accessState}, grace_until = ${decision.graceUntil}::timestamp(3),
        access_changed_at = CASE WHEN ${accessChanged} THEN ${new Date(options.nowMs)}::timestamp(3) ELSE s.access_changed_at END,
        updated_at = now()
      FROM locked WHERE s.id = locked.id RETURNING s.id
    )
    SELECT count(*)::int AS applied FROM updated`;
  return applied === 1 ? { ...decision.result, granted, revoked, holding, change: null } : null;
}
