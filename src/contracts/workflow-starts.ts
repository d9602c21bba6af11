import type { FulfillmentInput } from './fulfillment';
import type { PurchaseEventInput } from './purchase';
import type { SubscriptionEventInput } from './subscription';

/** The workflow types the worker registers (the names the client starts them by). */
export const WorkflowType = {
  fulfillCheckout: 'fulfillCheckout',
  syncSubscription: 'syncSubscription',
  syncPurchase: 'syncPurchase',
  reconcileStripeEvents: 'reconcileStripeEvents',
  /** One user's access events to the product, in order (src/contracts/access.ts). */
  deliverAccessEvents: 'deliverAccessEvents',
  /** Run by the `access-events-sweep` Schedule: wakes the delivery of events no run took. */
  sweepAccessEvents: 'sweepAccessEvents',
} as const;

/** The workflow a Stripe event starts, with its argument. */
export type WorkflowStart =
  | { workflowType: typeof WorkflowType.fulfillCheckout; input: FulfillmentInput }
  | { workflowType: typeof WorkflowType.syncSubscription; input: SubscriptionEventInput }
  | { workflowType: typeof WorkflowType.syncPurchase; input: PurchaseEventInput };

/** Input of the `reconcileStripeEvents` workflow the `stripe-reconcile` Schedule starts. */
export interface ReconcileInput {
  lookbackMs: number;
}

/** What one reconciliation found and did. */
export interface ReconcileReport {
  since: string;
  listed: number;
  /** Events started (at most the first RECONCILE_REPORTED_IDS ids; `startedCount` counts them all). */
  started: string[];
  startedCount?: number;
  /** Events that had a run already, or were handled for good (completed, cancelled, failed, terminated). */
  duplicate: number;
  ignored: number;
  failed: Array<{ eventId: string; error: string }>;
  /**
   * Stripe's `v2.core.health.event_generation_failure.resolved` alerts of the window: events Stripe
   * never generated, so neither the webhook nor this listing can see them; an operator looks at the
   * related object. Null when Stripe's v2 Events API could not be read.
   */
  generationFailures?: EventGenerationFailure[] | null;
}

export interface EventGenerationFailure {
  alertId: string;
  /** The type of the event that was never generated (e.g. checkout.session.completed). */
  eventType: string;
  /** The object it would have been about (e.g. a cs_… Checkout Session). */
  relatedObject: { id: string; type: string } | null;
  /** The account (Connect) it concerns, when Stripe says. */
  context: string | null;
  resolvedAt: string | null;
  summary: string;
}

/** Where a reconciliation pass is in Stripe's listing: heartbeated after every page, resumed after a retry. */
export interface ReconcileCursor {
  /** Index in [platform, ...STRIPE_CONNECT_ACCOUNTS]. */
  account: number;
  /** The last event id of the last page done in that account's listing (newest first); null: from the top. */
  startingAfter: string | null;
  /** The report so far. */
  report: ReconcileReport;
}

/** The most event ids a report carries (counts go on). */
export const RECONCILE_REPORTED_IDS = 200;

/** The reconciliation workflow's signature, for typed Schedule actions. */
export type ReconcileWorkflow = (input: ReconcileInput) => Promise<ReconcileReport>;
