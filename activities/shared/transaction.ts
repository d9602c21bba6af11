import type { Prisma, PrismaClient } from '../../src/generated/prisma/client';

/** What a transaction's callback gets: the client bound to that transaction. */
export type Tx = Prisma.TransactionClient;

/**
 * Every interactive transaction's bounds. The worker's pool holds a connection for each activity
 * and local activity it runs at once (WORKER_MAX_CONCURRENT_ACTIVITIES + WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES
 * ≤ WORKER_DB_POOL_SIZE, src/config.ts), so
 * `maxWait` is spent only while a pool refills after PostgreSQL came back; a transaction here
 * takes milliseconds, `timeout` allows for a loaded server. Both end well inside an activity's
 * 30 s start-to-close timeout, so a stuck transaction fails its attempt, which is retried.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * Runs `fn` in one interactive transaction with TRANSACTION_OPTIONS. The only way into a
 * transaction: lint refuses a bare `$transaction(` anywhere else (eslint.config.mjs), so no
 * transaction runs on Prisma's shorter defaults.
 */
export function inTransaction<T>(db: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(fn, TRANSACTION_OPTIONS);
}
