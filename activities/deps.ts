import type { ServerClient } from 'postmark';
import type Stripe from 'stripe';
import type { Catalog } from '../src/catalog/catalog';
import type { PrismaClient } from '../src/generated/prisma/client';
import type { AccessDeliveryStarter } from '../src/temporal/access-delivery';
import type { FulfillmentStarter } from '../src/temporal/start-fulfillment';

/** Everything activities touch in the world. Wired once, in the worker. */
export interface ActivityDeps {
  db: PrismaClient;
  catalog: Catalog;
  stripe: Stripe;
  postmark: ServerClient;
  mail: {
    from: string;
    welcomeTemplate: string;
    /** The purchase confirmation an existing customer gets instead of a welcome. */
    confirmationTemplate: string;
    /** The email a buyer gets instead of either when the checkout granted nothing. */
    notActiveTemplate: string;
    paymentFailedTemplate: string;
    /** How long after a send whose answer was lost a "not found" from Postmark's message search is believed (POSTMARK_SEARCH_LAG). */
    searchLagMs: number;
    /** The Postmark client's timeout: a send may be accepted up to this long after it began. */
    clientTimeoutMs: number;
  };
  /** How long a past_due subscription keeps its access after the first failed payment. */
  access: { pastDueGraceMs: number };
  /** Connected accounts listed in STRIPE_CONNECT_ACCOUNTS, whose events reconciliation lists besides our own account's. */
  stripeConnectAccounts: string[];
  /** Starts workflows for events found by reconciliation (the webhook's own path). */
  fulfillments: FulfillmentStarter;
  /** Access events to the product (docs/integration.md); null when APP_WEBHOOK_URL is unset: no event is written. */
  accessEvents: AccessEventsDeps | null;
}

/** Where access events go and how their delivery is woken. */
export interface AccessEventsDeps {
  /** APP_WEBHOOK_URL, and APP_WEBHOOK_SECRETS (the first signs). */
  webhook: { url: string; secrets: string[]; timeoutMs: number };
  /** Starts or wakes the user's delivery run after a change is committed (the sweep covers a failure). */
  delivery: AccessDeliveryStarter;
}
