import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/**
 * Every pool's time bounds: a database that refuses, hangs at connect, or accepts a
 * query and never answers (a failover, a paused server) fails the caller in seconds, never hangs it.
 */
export interface PoolBounds {
  /** Connections in the pool. */
  max?: number;
  /** Connecting, or waiting for a free connection of a full pool (pg `connectionTimeoutMillis`). */
  connectTimeoutMs?: number;
  /** One statement, enforced by PostgreSQL (`statement_timeout`), and by the client when the server
   *  stops answering altogether (pg `query_timeout`, a little later so the server's own error wins). */
  statementTimeoutMs?: number;
}

/** The defaults: a webhook answers within Stripe's ~10 s even when both bounds are hit in a row;
 *  a transaction of the worker (TRANSACTION_OPTIONS: 15 s) is made of statements of milliseconds. */
export const POOL_BOUNDS_DEFAULT = { max: 10, connectTimeoutMs: 3_000, statementTimeoutMs: 5_000 } as const;

/** A Prisma client over node-postgres (Prisma 7's driver-adapter setup), bounded in time. */
export function createPrisma(databaseUrl: string, bounds: PoolBounds = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(databaseUrl, bounds)) });
}

/**
 * The same client over a pool the caller may also query directly (the API's GET /access runs a
 * named prepared statement on it: src/access/read-access.ts). One pool, one bound on connections;
 * `$disconnect()` ends it.
 */
export function createPrismaOverPool(databaseUrl: string, bounds: PoolBounds = {}): { db: PrismaClient; pool: Pool } {
  const pool = new Pool(poolConfig(databaseUrl, bounds));
  return { db: new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }), pool };
}

function poolConfig(databaseUrl: string, bounds: PoolBounds) {
  const { max, connectTimeoutMs, statementTimeoutMs } = { ...POOL_BOUNDS_DEFAULT, ...bounds };
  return {
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1_000,
    // A connection whose peer vanished (failover) is noticed by the OS, not only by the next query.
    keepAlive: true,
  };
}
