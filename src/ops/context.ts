import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import type { ServerClient } from 'postmark';
import type Stripe from 'stripe';
import { createPostmarkClient } from '../clients/postmark';
import { createStripeClient } from '../clients/stripe';
import { connectAccounts, stepPolicyFromEnv, templateAliases } from '../config';
import type { TemplateAliases } from '../emails';
import { createTemporalClient } from '../clients/temporal';
import { createPrisma } from '../db/prisma';
import { withTemporalProfile } from '../clients/temporal-profile';
import { withSecretFiles } from '../secret-files';
import type { PrismaClient } from '../generated/prisma/client';
import { payloadKeysFromEnv } from '../temporal/payload-keys';
import { createFulfillmentStarter, type FulfillmentStarter } from '../temporal/start-fulfillment';
import { createAccessDeliveryStarter, type AccessDeliveryStarter } from '../temporal/access-delivery';

/** What an ops command may use; each is created on first use and closed by `close`. */
export interface OpsContext {
  readonly temporal: Client;
  readonly db: PrismaClient;
  readonly stripe: Stripe;
  readonly fulfillments: FulfillmentStarter;
  /** Starts or wakes a user's delivery of access events, with the environment's step policy, as the worker does. */
  readonly accessDelivery: AccessDeliveryStarter;
  /** The Postmark server the worker sends through (POSTMARK_SERVER_TOKEN, POSTMARK_API_URL). */
  readonly postmark: ServerClient;
  /** POSTMARK_*_TEMPLATE: the alias each template goes by. */
  readonly templateAliases: TemplateAliases;
  readonly namespace: string;
  readonly taskQueue: string;
  /** STRIPE_CONNECT_ACCOUNTS: connected accounts whose events are ours (reconcile lists them too; replay refuses others). */
  readonly connectAccounts: string[];
  /** Who runs the command, for the audit record of operator requests (OPS_USER, else $USER, else the OS user). */
  readonly operator: string;
  /** How long each run's `status` query may take, and the pauses before the runs that did not answer are asked
   *  again (default STATE_QUERY_DEFAULT in select-fulfillments.ts). */
  readonly stateQuery?: { deadlineMs: number; retryDelaysMs: number[] };
  close(): Promise<void>;
}

/**
 * A person (or a script) waits rather than fails: a real server answers a burst of visibility
 * queries with "namespace rate limit exceeded" (RESOURCE_EXHAUSTED, `frontend.namespaceRPS.visibility`,
 * 10/s per frontend by default), and the SDK's default retries give up after about 35 s. Backoff
 * 1 s growing ×1.7 to 5 s between attempts, for about three minutes.
 */
const OPS_RETRY = { maxAttempts: 40 };

/**
 * Reads only the service's own environment variables (DATABASE_URL, TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, STRIPE_SECRET_KEY, STRIPE_API_BASE, POSTMARK_SERVER_TOKEN,
 * POSTMARK_API_URL, POSTMARK_*_TEMPLATE, PAYLOAD_KEYS or PAYLOAD_KEYS_FILE). Secrets may come from
 * files (`DATABASE_URL_FILE`, `STRIPE_SECRET_KEY_FILE`, …) as for the service. Against the
 * `npm run dev` stack, `npm run ops` (devstack/ops.ts) sets these variables from it first.
 */
export function createOpsContext(environment: NodeJS.ProcessEnv = process.env): OpsContext {
  const env = withTemporalProfile(withSecretFiles(environment));
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = env.TEMPORAL_TASK_QUEUE ?? 'stripe-fulfillment';
  // The payload codec's keys, checked before any command runs: ops reads and writes the same histories.
  const payloadKeys = payloadKeysFromEnv({
    PAYLOAD_KEYS: env.PAYLOAD_KEYS,
    PAYLOAD_KEYS_FILE: env.PAYLOAD_KEYS_FILE,
  });
  let temporal: Client | undefined;
  let db: PrismaClient | undefined;
  let stripe: Stripe | undefined;
  let postmark: ServerClient | undefined;
  const need = (name: string, value: string | undefined): string => {
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const context: OpsContext = {
    namespace,
    taskQueue,
    operator: env.OPS_USER ?? env.USER ?? safeUsername(),
    connectAccounts: parseConnectAccounts(env.STRIPE_CONNECT_ACCOUNTS),
    get temporal() {
      return (temporal ??= createTemporalClient(
        {
          TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_API_KEY: env.TEMPORAL_API_KEY,
          TEMPORAL_TLS_CERT: env.TEMPORAL_TLS_CERT,
          TEMPORAL_TLS_KEY: env.TEMPORAL_TLS_KEY,
          TEMPORAL_TLS_CA: env.TEMPORAL_TLS_CA,
          payloadKeys,
        },
        { retry: OPS_RETRY },
      ));
    },
    get db() {
      return (db ??= createPrisma(need('DATABASE_URL', env.DATABASE_URL), { max: 2 }));
    },
    get stripe() {
      return (stripe ??= createStripeClient(
        need('STRIPE_SECRET_KEY', env.STRIPE_SECRET_KEY),
        env.STRIPE_API_BASE ?? 'https://api.stripe.com',
      ));
    },
    get postmark() {
      return (postmark ??= createPostmarkClient(
        need('POSTMARK_SERVER_TOKEN', env.POSTMARK_SERVER_TOKEN),
        env.POSTMARK_API_URL ?? 'https://api.postmarkapp.com',
      ));
    },
    get templateAliases() {
      return templateAliases(env);
    },
    get fulfillments() {
      return createFulfillmentStarter(context.temporal, taskQueue, stepPolicyFromEnv(env));
    },
    get accessDelivery() {
      return createAccessDeliveryStarter(context.temporal, taskQueue, stepPolicyFromEnv(env));
    },
    async close() {
      await Promise.allSettled([temporal?.connection.close(), db?.$disconnect()]);
    },
  };
  return context;
}

function parseConnectAccounts(value: string | undefined): string[] {
  const parsed = connectAccounts.safeParse(value);
  if (!parsed.success) throw new Error(`STRIPE_CONNECT_ACCOUNTS ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
