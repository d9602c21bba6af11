/** The lifetime-deal side of `npm run simulate`: refunds and disputes of a payment-mode checkout. */
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { originalStart, quote } from '../src/ops/workflow-lookup';
import { chargeRefundedEvent, disputeEvent } from './sample-purchase-events';

export const PURCHASE_EVENT_KINDS = ['refund', 'dispute'] as const;
export type PurchaseEventKind = (typeof PURCHASE_EVENT_KINDS)[number];

export interface LifetimeTarget {
  paymentIntentId: string;
  /** What the checkout charged (its amount_total), cents. */
  amount: number;
}

/** The lifetime checkout a `refund`/`dispute` is about: given by its event id (`evt_…`) or its payment intent (`pi_…`). */
export async function findLifetimeCheckout(client: Client, ref: string): Promise<LifetimeTarget> {
  let eventId = ref;
  if (ref.startsWith('pi_')) {
    const query = `StripePaymentIntentId = ${quote(ref)} AND WorkflowType = 'fulfillCheckout'`;
    for await (const wf of client.workflow.list({ query })) {
      eventId = wf.workflowId;
      break;
    }
    if (eventId === ref) throw new Error(`no lifetime checkout in Temporal has payment intent ${ref}`);
  }
  const start = await originalStart(client, eventId);
  if (start.workflowType !== 'fulfillCheckout' || start.input.mode !== 'payment' || !start.input.paymentIntentId) {
    throw new Error(`${ref} is not a lifetime (payment-mode) checkout; try: npm run simulate -- sumo-lifetime`);
  }
  return { paymentIntentId: start.input.paymentIntentId, amount: start.input.amountTotal ?? 0 };
}

/**
 * `refund`: a `charge.refunded` whose running total (`--amount`, cents) defaults to the whole
 * charge; `dispute`: `--status open` (charge.dispute.created, the default), `won` or `lost`
 * (charge.dispute.closed) — one dispute per payment, so open then won/lost pair up.
 */
export function purchaseEvent(kind: PurchaseEventKind, target: LifetimeTarget, values: { amount?: string; status?: string }): Stripe.Event {
  const { paymentIntentId, amount } = target;
  if (kind === 'refund') {
    const amountRefunded = values.amount === undefined ? amount : Number(values.amount);
    if (!Number.isSafeInteger(amountRefunded) || amountRefunded < 1 || amountRefunded > amount) {
      throw new Error(`--amount must be the charge's refunded total in cents, 1 to ${amount}; got "${values.amount}"`);
    }
    return chargeRefundedEvent({ paymentIntentId, amount, amountRefunded });
  }
  const status = values.status ?? 'open';
  if (!['open', 'won', 'lost'].includes(status)) throw new Error(`--status must be open, won or lost; got "${status}"`);
  return status === 'open'
    ? disputeEvent({ type: 'charge.dispute.created', paymentIntentId, amount })
    : disputeEvent({ type: 'charge.dispute.closed', paymentIntentId, amount, status });
}
