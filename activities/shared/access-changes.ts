import { log } from '@temporalio/activity';
import { Prisma } from '../../src/generated/prisma/client';
import type { AccessReason, AccessSnapshot } from '../../src/contracts';
import { readAccess } from '../../src/access/read-access';
import { changeReason, sameAccess } from '../../src/access/snapshot';
import type { AccessEventsDeps } from '../deps';
import type { Tx } from './transaction';

/** An access event written to the outbox (access_events). */
export interface AccessChange {
  accessEventId: string;
  userId: string;
  reason: AccessReason;
}

/**
 * Writes an access event when the user's access, as the product sees it, differs from the last
 * one told: call it in the transaction that changed the access, after the change (a sync, under
 * its row's lock). The user's row is locked first (FOR NO KEY UPDATE: it excludes itself, not the
 * foreign-key checks of entitlement inserts), so two changes of one user's access — through two
 * subscriptions, say — are written one after the other, each snapshot the state right after its
 * own change and each `seq` in commit order. `created_at` is the clock under that lock, not the
 * transaction's start (`now()`), so a user's later event never has an earlier `created` (a product
 * that keeps the newest by `created` relies on it). Null when nothing the product sees changed.
 */
export async function recordAccessChange(
  tx: Tx,
  { userId, causeEventId }: { userId: string; causeEventId: string },
): Promise<AccessChange | null> {
  await tx.$queryRaw(Prisma.sql`SELECT 1 FROM users WHERE id = ${userId} FOR NO KEY UPDATE`);
  const now = await readAccess(tx, { userId });
  if (!now) return null;
  const [last] = await tx.$queryRaw<Array<{ access: AccessSnapshot }>>(
    Prisma.sql`SELECT access FROM access_events WHERE user_id = ${userId} ORDER BY seq DESC LIMIT 1`,
  );
  const before = last?.access ?? null;
  if (sameAccess(before, now.access) || (before === null && now.access.items.length === 0)) return null;
  const reason = changeReason(before, now.access);
  const [row] = await tx.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    INSERT INTO access_events (id, user_id, reason, access, cause_event_id, created_at)
    VALUES ('acc_' || replace(gen_random_uuid()::text, '-', ''), ${userId}, ${reason}, ${JSON.stringify(now.access)}::jsonb, ${causeEventId},
            clock_timestamp())
    RETURNING id`);
  return { accessEventId: row.id, userId, reason };
}

/**
 * After the commit that wrote `change`: wakes the user's delivery run. A failure is logged, not
 * thrown — the change is committed and its event pending; the `access-events-sweep` Schedule wakes
 * the run later — so a Temporal hiccup never fails (and repeats) the sync that changed the access.
 */
export async function wakeDelivery(accessEvents: AccessEventsDeps | null, change: AccessChange | null): Promise<void> {
  if (!accessEvents || !change) return;
  try {
    await accessEvents.delivery.wake(change.userId);
    log.info('access event written, its delivery woken', { accessEventId: change.accessEventId, reason: change.reason });
  } catch (err) {
    log.warn('access event written; its delivery could not be woken now (the sweep will)', {
      accessEventId: change.accessEventId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
