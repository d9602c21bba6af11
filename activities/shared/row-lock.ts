import { Prisma } from '../../src/generated/prisma/client';
import type { Tx } from './transaction';

/** The rows activities lock, and the unique keys (Prisma field → column) each is found by. */
const LOCKABLE = {
  subscriptions: { id: 'id', stripeSubscriptionId: 'stripe_subscription_id' },
  purchases: { id: 'id', paymentIntentId: 'payment_intent_id', checkoutSessionId: 'checkout_session_id' },
} as const;

type Table = keyof typeof LOCKABLE;
/** One unique key of the table, e.g. `{ stripeSubscriptionId: 'sub_…' }`. */
export type LockKey<T extends Table> = { [K in keyof (typeof LOCKABLE)[T]]: { [P in K]: string } }[keyof (typeof LOCKABLE)[T]];

/**
 * `SELECT … FOR UPDATE` on the row with this unique key: concurrent events for one subscription
 * or payment then apply one after the other. Returns the row's id, or null when there is none.
 * The lock holds until the transaction ends (see inTransaction).
 */
export async function lockRow<T extends Table>(tx: Tx, table: T, key: LockKey<T>): Promise<string | null> {
  return (await lockAndRead<T, { id: string }>(tx, table, key, Prisma.sql`id`))?.id ?? null;
}

/**
 * The same lock, returning the locked row's `columns` in the same statement (one round trip
 * where a lock and then a read took two; the lock makes the read the newest state).
 */
export async function lockAndRead<T extends Table, R>(tx: Tx, table: T, key: LockKey<T>, columns: Prisma.Sql): Promise<R | null> {
  const [field, value] = Object.entries(key)[0] as [keyof (typeof LOCKABLE)[T], string];
  const column = LOCKABLE[table][field] as string;
  const rows = await tx.$queryRaw<R[]>(
    Prisma.sql`SELECT ${columns} FROM ${Prisma.raw(table)} WHERE ${Prisma.raw(column)} = ${value} FOR UPDATE`,
  );
  return rows[0] ?? null;
}
