import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { AccessItem, AccessSnapshot } from '../contracts';
import { accessSnapshot, purchaseState } from './snapshot';

/** The client or a transaction's client: the check reads with the first, an access change inside its transaction. */
export type Queryable = Pick<PrismaClient, '$queryRaw'>;

/** Whose access: by normalised email (GET /access?email=, ops) or by user id. */
export type AccessKey = { email: string } | { userId: string };

export interface UserAccess {
  user: { id: string; email: string };
  access: AccessSnapshot;
}

interface Row {
  id: string;
  email: string;
  subscriptions: Array<Omit<AccessItem, 'kind' | 'term'>>;
  purchases: Array<Omit<AccessItem, 'kind' | 'term' | 'state'> & { status: string }>;
}

const FEATURES = (owner: Prisma.Sql) =>
  Prisma.sql`COALESCE((SELECT array_agg(e.feature ORDER BY e.feature) FROM entitlements e WHERE ${owner}), '{}')`;

/**
 * A user's whole access in one statement: the user, each subscription the access sync has
 * written (`access_state` set) and each purchase whose checkout is recorded, with the features
 * each holds. Indexed all the way (users.email, subscriptions.user_id, purchases.user_id,
 * entitlements by owner), so its cost does not grow with the tables. Null for no such user.
 */
export async function readAccess(db: Queryable, key: AccessKey): Promise<UserAccess | null> {
  const where = 'email' in key ? Prisma.sql`u.email = ${key.email}` : Prisma.sql`u.id = ${key.userId}`;
  const rows = await db.$queryRaw<Row[]>(Prisma.sql`
    SELECT u.id, u.email,
      COALESCE((SELECT json_agg(json_build_object(
          'id', s.stripe_subscription_id, 'plan', s.plan, 'source', COALESCE(s.source, u.source), 'state', s.access_state,
          'graceUntil', to_char(s.grace_until, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'licences', s.quantity, 'seats', s.seat_limit, 'features', ${FEATURES(Prisma.sql`e.subscription_id = s.id`)}))
        FROM subscriptions s WHERE s.user_id = u.id AND s.access_state IS NOT NULL), '[]') AS subscriptions,
      COALESCE((SELECT json_agg(json_build_object(
          'id', COALESCE(p.payment_intent_id, p.checkout_session_id), 'plan', p.plan, 'source', COALESCE(p.source, u.source),
          'status', p.status, 'licences', p.active_quantity, 'seats', p.seat_limit,
          'features', ${FEATURES(Prisma.sql`e.purchase_id = p.id`)}))
        FROM purchases p WHERE p.user_id = u.id AND p.status <> 'awaiting_checkout'), '[]') AS purchases
    FROM users u WHERE ${where}`);
  const row = rows[0];
  if (!row) return null;
  const items: AccessItem[] = [
    ...row.subscriptions.map((s) => ({ ...s, kind: 'subscription' as const, term: 'renewing' as const, state: s.state })),
    ...row.purchases.map(({ status, ...p }) => ({
      ...p,
      kind: 'purchase' as const,
      term: 'lifetime' as const,
      state: purchaseState(status),
      graceUntil: null,
    })),
  ];
  return { user: { id: row.id, email: row.email }, access: accessSnapshot(items) };
}
