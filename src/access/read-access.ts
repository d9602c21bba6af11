import type { Pool } from 'pg';
import type { PrismaClient } from '../generated/prisma/client';
import type { AccessItem, AccessSnapshot } from '../contracts';
import { accessSnapshot, purchaseState } from './snapshot';

/**
 * Where the check's statement runs: Prisma's client, or a transaction's (an access change reads
 * inside its transaction, ops reads with its client); or a pg pool, where it is a named prepared
 * statement, planned once per connection (the API's GET /access: a quarter of Prisma's cost a call).
 */
export type AccessSource = Pick<PrismaClient, '$queryRawUnsafe'> | Pick<Pool, 'query'>;

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

const features = (owner: string) => `COALESCE((SELECT array_agg(e.feature ORDER BY e.feature) FROM entitlements e WHERE ${owner}), '{}')`;

/**
 * A user's whole access in one statement: the user, each subscription the access sync has
 * written (`access_state` set) and each purchase whose checkout is recorded, with the features
 * each holds. Indexed all the way (users.email or its key, subscriptions.user_id,
 * purchases.user_id, entitlements by owner), so its cost does not grow with the tables.
 */
const statement = (where: string) => `
  SELECT u.id, u.email,
    COALESCE((SELECT json_agg(json_build_object(
        'id', s.stripe_subscription_id, 'plan', s.plan, 'source', COALESCE(s.source, u.source), 'state', s.access_state,
        'graceUntil', to_char(s.grace_until, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'licences', s.quantity, 'seats', s.seat_limit, 'features', ${features('e.subscription_id = s.id')}))
      FROM subscriptions s WHERE s.user_id = u.id AND s.access_state IS NOT NULL), '[]') AS subscriptions,
    COALESCE((SELECT json_agg(json_build_object(
        'id', COALESCE(p.payment_intent_id, p.checkout_session_id), 'plan', p.plan, 'source', COALESCE(p.source, u.source),
        'status', p.status, 'licences', p.active_quantity, 'seats', p.seat_limit, 'features', ${features('e.purchase_id = p.id')}))
      FROM purchases p WHERE p.user_id = u.id AND p.status <> 'awaiting_checkout'), '[]') AS purchases
  FROM users u WHERE ${where}`;

const STATEMENTS = {
  email: { name: 'access_by_email', text: statement('u.email = $1') },
  userId: { name: 'access_by_user_id', text: statement('u.id = $1') },
} as const;

/** The user's access as the product is told it (src/access/snapshot.ts); null for no such user. */
export async function readAccess(source: AccessSource, key: AccessKey): Promise<UserAccess | null> {
  const [by, value] = 'email' in key ? (['email', key.email] as const) : (['userId', key.userId] as const);
  const { name, text } = STATEMENTS[by];
  const rows =
    '$queryRawUnsafe' in source
      ? await source.$queryRawUnsafe<Row[]>(text, value)
      : (await source.query<Row>({ name, text, values: [value] })).rows;
  const row = rows[0];
  if (!row) return null;
  const items: AccessItem[] = [
    ...row.subscriptions.map((s) => ({ ...s, kind: 'subscription' as const, term: 'renewing' as const })),
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
