import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import type { ServerClient } from 'postmark';
import type Stripe from 'stripe';
import { createPostmarkClient } from '../clients/postmark';
import { createStripeClient } from '../clients/stripe';
import { connectAccounts, templateAliases } from '../config';
import type { TemplateAliases } from '../emails';
import { createTemporalClient } from '../clients/temporal';
import { createPrisma } from '../db/prisma';
import { withSecretFiles } from '../secret-files';
import { readDevState } from '../dev/dev-state';
import type { PrismaClient } from '../generated/prisma/client';
import { payloadKeysFromEnv } from '../temporal/payload-keys';
import { createFulfillmentStarter, type FulfillmentStarter } from '../temporal/start-fulfillment';

/** What an ops command may use; each is created on first use and closed by `close`. */
export interface OpsContext {
  readonly temporal: Client;
  readonly db: PrismaClient;
  readonly stripe: Stripe;
  readonly fulfillments: FulfillmentStarter;
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
  close(): Promise<void>;
}

/**
 * Reads the service's own environment variables (DATABASE_URL, TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, STRIPE_SECRET_KEY, STRIPE_API_BASE, POSTMARK_SERVER_TOKEN,
 * POSTMARK_API_URL, POSTMARK_*_TEMPLATE, PAYLOAD_KEYS or PAYLOAD_KEYS_FILE); under `npm run dev` the running stack's addresses and key file are the
 * defaults. Secrets may come from files (`DATABASE_URL_FILE`, `STRIPE_SECRET_KEY_FILE`, …) as
 * for the service.
 */
export function createOpsContext(environment: NodeJS.ProcessEnv = process.env): OpsContext {
  const env = withSecretFiles(environment);
  const dev = readDevState();
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = env.TEMPORAL_TASK_QUEUE ?? 'stripe-fulfillment';
  // The payload codec's keys, checked before any command runs: ops reads and writes the same histories.
  const payloadKeys = payloadKeysFromEnv({
    PAYLOAD_KEYS: env.PAYLOAD_KEYS,
    PAYLOAD_KEYS_FILE: env.PAYLOAD_KEYS_FILE ?? (env.PAYLOAD_KEYS ? undefined : dev?.payloadKeysFile),
  });
  let temporal: Client | undefined;
  let db: PrismaClient | undefined;
  let stripe: Stripe | undefined;
  let postmark: ServerClient | undefined;
  const need = (name: string, value: string | undefined): string => {
    if (!value) throw new Error(`${name} is not set (and no \`npm run dev\` stack is running to take it from)`);
    return value;
  };
  const context: OpsContext = {
    namespace,
    taskQueue,
    operator: env.OPS_USER ?? env.USER ?? safeUsername(),
    connectAccounts: parseConnectAccounts(env.STRIPE_CONNECT_ACCOUNTS),
    get temporal() {
      return (temporal ??= createTemporalClient({
        TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? dev?.temporalAddress ?? 'localhost:7233',
        TEMPORAL_NAMESPACE: namespace,
        TEMPORAL_API_KEY: env.TEMPORAL_API_KEY,
        TEMPORAL_TLS_CERT: env.TEMPORAL_TLS_CERT,
        TEMPORAL_TLS_KEY: env.TEMPORAL_TLS_KEY,
        TEMPORAL_TLS_CA: env.TEMPORAL_TLS_CA,
        payloadKeys,
      }));
    },
    get db() {
      return (db ??= createPrisma(need('DATABASE_URL', env.DATABASE_URL ?? dev?.databaseUrl), { max: 2 }));
    },
    get stripe() {
      return (stripe ??= createStripeClient(
        need('STRIPE_SECRET_KEY', env.STRIPE_SECRET_KEY ?? dev?.stripeSecretKey),
        env.STRIPE_API_BASE ?? dev?.stripeApiBase ?? 'https://api.stripe.com',
      ));
    },
    get postmark() {
      return (postmark ??= createPostmarkClient(
        need('POSTMARK_SERVER_TOKEN', env.POSTMARK_SERVER_TOKEN ?? dev?.postmarkServerToken),
        env.POSTMARK_API_URL ?? dev?.postmarkUrl ?? 'https://api.postmarkapp.com',
      ));
    },
    get templateAliases() {
      return templateAliases(env);
    },
    get fulfillments() {
      return createFulfillmentStarter(context.temporal, taskQueue);
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
