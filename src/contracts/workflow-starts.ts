import type { FulfillmentInput } from './fulfillment';
import type { PurchaseEventInput } from './purchase';
import type { SubscriptionEventInput } from './subscription';

/** The workflow types the worker registers (the names the client starts them by). */
export const WorkflowType = {
  fulfillCheckout: 'fulfillCheckout',
  syncSubscription: 'syncSubscription',
  syncPurchase: 'syncPurchase',
  reconcileStripeEvents: 'reconcileStripeEvents',
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
  started: string[];
  duplicate: number;
  ignored: number;
  failed: Array<{ eventId: string; error: string }>;
}

/** The reconciliation workflow's signature, for typed Schedule actions. */
export type ReconcileWorkflow = (input: ReconcileInput) => Promise<ReconcileReport>;
