import type Stripe from 'stripe';
import type { WorkflowStart } from '../contracts';
import { decideCheckoutEvent, FULFILLMENT_EVENT_TYPES } from './checkout-event';
import { decidePurchaseEvent, PURCHASE_EVENT_TYPES } from './purchase-event';
import { decideLifecycleEvent, LIFECYCLE_EVENT_TYPES } from './subscription-event';

/** Every event type the service acts on; the webhook endpoint should subscribe to these. */
export const HANDLED_EVENT_TYPES: readonly string[] = [...FULFILLMENT_EVENT_TYPES, ...LIFECYCLE_EVENT_TYPES, ...PURCHASE_EVENT_TYPES];

export type EventDecision = { action: 'start'; start: WorkflowStart } | { action: 'ignore'; reason: string };

/** Decides which workflow, if any, a verified event starts. */
export function routeEvent(event: Stripe.Event): EventDecision {
  if ((FULFILLMENT_EVENT_TYPES as readonly string[]).includes(event.type)) {
    const decision = decideCheckoutEvent(event);
    return decision.action === 'fulfil' ? { action: 'start', start: { workflowType: 'fulfillCheckout', input: decision.input } } : decision;
  }
  if ((PURCHASE_EVENT_TYPES as readonly string[]).includes(event.type)) {
    const decision = decidePurchaseEvent(event);
    return decision.action === 'sync' ? { action: 'start', start: { workflowType: 'syncPurchase', input: decision.input } } : decision;
  }
  const decision = decideLifecycleEvent(event);
  return decision.action === 'sync' ? { action: 'start', start: { workflowType: 'syncSubscription', input: decision.input } } : decision;
}
