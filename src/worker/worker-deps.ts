import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../../activities';
import { Catalog } from '../catalog/catalog';
import { createPostmarkClient, POSTMARK_TIMEOUT_SECONDS } from '../clients/postmark';
import { createStripeClient } from '../clients/stripe';
import { createTemporalClient } from '../clients/temporal';
import { stepPolicy, type WorkerConfig } from '../config';
import { createPrisma } from '../db/prisma';
import { createAccessDeliveryStarter } from '../temporal/access-delivery';
import { createFulfillmentStarter } from '../temporal/start-fulfillment';

/** How long the product's endpoint may take to answer one access event. */
export const APP_WEBHOOK_TIMEOUT_MS = 10_000;

export interface WorkerResources {
  /** What the activities touch, wired from the configuration. */
  deps: ActivityDeps;
  /** The client reconciliation starts workflows with; the worker keeps its Schedule with it too. */
  temporal: Client;
  /** Closes the database pool and the Temporal client. */
  close(): Promise<void>;
}

/** What a test or benchmark may set that the environment does not. */
export interface WorkerDepsOverrides {
  /** A catalogue object instead of reading CATALOG_PATH. */
  catalog?: Catalog;
  postmarkTimeoutSeconds?: number;
  dbPoolSize?: number;
}

/**
 * The one wiring of the activities' dependencies from validated configuration: used by the
 * worker process, the tests' in-process service and the benchmark.
 */
export function createWorkerDeps(config: WorkerConfig, overrides: WorkerDepsOverrides = {}): WorkerResources {
  const db = createPrisma(config.DATABASE_URL, { max: overrides.dbPoolSize ?? config.WORKER_DB_POOL_SIZE });
  const postmarkTimeoutSeconds = overrides.postmarkTimeoutSeconds ?? POSTMARK_TIMEOUT_SECONDS;
  const temporal = createTemporalClient(config);
  const deps: ActivityDeps = {
    db,
    catalog: overrides.catalog ?? Catalog.fromFile(config.CATALOG_PATH),
    stripe: createStripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE),
    postmark: createPostmarkClient(config.POSTMARK_SERVER_TOKEN, config.POSTMARK_API_URL, postmarkTimeoutSeconds),
    mail: {
      from: config.POSTMARK_FROM,
      welcomeTemplate: config.POSTMARK_WELCOME_TEMPLATE,
      confirmationTemplate: config.POSTMARK_CONFIRMATION_TEMPLATE,
      notActiveTemplate: config.POSTMARK_NOT_ACTIVE_TEMPLATE,
      paymentFailedTemplate: config.POSTMARK_PAYMENT_FAILED_TEMPLATE,
      searchLagMs: config.POSTMARK_SEARCH_LAG,
      clientTimeoutMs: postmarkTimeoutSeconds * 1000,
    },
    access: { pastDueGraceMs: config.PAST_DUE_GRACE_PERIOD },
    stripeConnectAccounts: config.STRIPE_CONNECT_ACCOUNTS,
    fulfillments: createFulfillmentStarter(temporal, config.TEMPORAL_TASK_QUEUE, stepPolicy(config)),
    accessEvents: config.APP_WEBHOOK_URL
      ? {
          webhook: { url: config.APP_WEBHOOK_URL, secrets: config.APP_WEBHOOK_SECRETS, timeoutMs: APP_WEBHOOK_TIMEOUT_MS },
          delivery: createAccessDeliveryStarter(temporal, config.TEMPORAL_TASK_QUEUE, stepPolicy(config)),
        }
      : null,
  };
  return {
    deps,
    temporal,
    async close() {
      await temporal.connection.close();
      await db.$disconnect();
    },
  };
}
