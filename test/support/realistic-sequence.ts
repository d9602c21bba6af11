import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { checkoutEvent, invoiceEvent, subscriptionEvent, sumoMetadata } from '../../devstack/sample-events';

/** What one event of the sequence implies about the subscription, for the expectations. */
export interface Step {
  name: 'created' | 'checkout' | 'updated_quantity' | 'payment_failed' | 'paid' | 'deleted';
  event: Stripe.Event;
  created: number;
  status: string;
  /** Absent for invoice events, which do not carry the subscription's quantity or period. */
  quantity?: number;
  /** The item quantity before an update that changed it (its `previous_attributes`). */
  previousQuantity?: number;
  cancelAtPeriodEnd?: boolean;
}

export interface Sequence {
  subscriptionId: string;
  email: string;
  invoiceId: string;
  periodEnd: number;
  steps: Step[];
}

/**
 * A Sumo purchase's life as Stripe describes it, one event each, ten seconds apart:
 * created → checkout.session.completed (sumo_tier_2 ×1) → updated (quantity 1→3, cancel at
 * period end) → invoice.payment_failed → invoice.paid → deleted.
 */
export function realisticSequence(): Sequence {
  const tag = randomBytes(6).toString('hex');
  const subscriptionId = `sub_test_${tag}`;
  const customerId = `cus_test_${tag}`;
  const email = `life.${tag}@example.com`;
  const invoiceId = `in_test_${tag}`;
  const t0 = Math.floor(Date.now() / 1000) - 600;
  const periodEnd = t0 + 30 * 86_400;
  const sub = (
    type: Parameters<typeof subscriptionEvent>[0]['type'],
    at: number,
    status: string,
    quantity: number,
    cancelAtPeriodEnd: boolean,
    previousQuantity?: number,
  ) =>
    subscriptionEvent({
      type,
      subscriptionId,
      customerId,
      status,
      quantity,
      cancelAtPeriodEnd,
      created: at,
      currentPeriodEnd: periodEnd,
      ...(previousQuantity !== undefined && { previous: { quantity: previousQuantity } }),
    });
  const steps: Step[] = [
    {
      name: 'created',
      event: sub('customer.subscription.created', t0, 'active', 1, false),
      created: t0,
      status: 'active',
      quantity: 1,
      cancelAtPeriodEnd: false,
    },
    {
      name: 'checkout',
      event: checkoutEvent({
        email,
        subscriptionId,
        customerId,
        created: t0 + 10,
        metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '1' }),
      }),
      created: t0 + 10,
      status: 'active',
      quantity: 1,
    },
    {
      name: 'updated_quantity',
      event: sub('customer.subscription.updated', t0 + 20, 'active', 3, true, 1),
      created: t0 + 20,
      status: 'active',
      quantity: 3,
      previousQuantity: 1,
      cancelAtPeriodEnd: true,
    },
    {
      name: 'payment_failed',
      event: invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, invoiceId, created: t0 + 30, customerEmail: email }),
      created: t0 + 30,
      status: 'past_due',
    },
    {
      name: 'paid',
      event: invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId, created: t0 + 40, customerEmail: email }),
      created: t0 + 40,
      status: 'active',
    },
    {
      name: 'deleted',
      event: sub('customer.subscription.deleted', t0 + 50, 'canceled', 3, true),
      created: t0 + 50,
      status: 'canceled',
      quantity: 3,
      cancelAtPeriodEnd: true,
    },
  ];
  return { subscriptionId, email, invoiceId, periodEnd, steps };
}

/** The features sumo_tier_2 + the priority_support add-on grant (config/catalog.json). */
export const SEQUENCE_FEATURES = ['core', 'integrations', 'priority_support', 'reports'];
export const SEQUENCE_TIER_SEATS = 3;

export interface Expected {
  status: string;
  quantity: number;
  cancelAtPeriodEnd: boolean;
  linked: boolean;
  hasAccess: boolean;
  features: string[];
}

/** The checkout's sumo_quantity in the sequence. */
const SUMO_QUANTITY = 1;

/**
 * What the newest of the delivered events implies, whatever order they came in. Licences
 * (docs/subscriptions.md): once the Sumo checkout is in, sumo_quantity scaled by Stripe's newest item
 * quantity against the oldest one the delivered events tell (an update's previous quantity counts
 * as just before it); before it, Stripe's newest item quantity.
 */
export function impliedBy(delivered: Step[]): Expected {
  const newest = <T extends Step>(steps: T[]) => steps.reduce<T | undefined>((a, s) => (!a || s.created > a.created ? s : a), undefined);
  const status = newest(delivered)!.status;
  const items = delivered.filter((s) => s.quantity !== undefined && s.name !== 'checkout');
  const billing = newest(delivered.filter((s) => s.cancelAtPeriodEnd !== undefined));
  const linked = delivered.some((s) => s.name === 'checkout');
  const now = newest(items)?.quantity;
  const starts = items.flatMap((s) => [
    ...(s.previousQuantity !== undefined ? [{ at: s.created - 0.5, n: s.previousQuantity }] : []),
    { at: s.created, n: s.quantity! },
  ]);
  const start = starts.reduce<{ at: number; n: number } | undefined>((a, c) => (!a || c.at < a.at ? c : a), undefined)?.n;
  const quantity = !linked ? (now ?? 1) : now && start ? Math.max(1, Math.floor((SUMO_QUANTITY * now) / start)) : SUMO_QUANTITY;
  // past_due keeps access: the grace period (7 days by default) has not run out in a test.
  const hasAccess = linked && ['active', 'past_due'].includes(status);
  return {
    status,
    quantity,
    cancelAtPeriodEnd: billing?.cancelAtPeriodEnd ?? false,
    linked,
    hasAccess,
    features: hasAccess ? SEQUENCE_FEATURES : [],
  };
}
