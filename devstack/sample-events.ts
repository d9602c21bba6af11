import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** Stripe's API version pinned by the `stripe` package we use. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

export interface CheckoutEventOptions {
  type?: 'checkout.session.completed' | 'checkout.session.async_payment_succeeded';
  eventId?: string;
  email?: string | null;
  name?: string;
  customerId?: string;
  subscriptionId?: string | null;
  sessionId?: string;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  clientReferenceId?: string | null;
  /** Connected account the event comes from (ours only when listed in STRIPE_CONNECT_ACCOUNTS; Sumo's purchases come without: they are sessions on our own account). */
  account?: string;
  metadata?: Record<string, string>;
  created?: number;
  /** `payment`: a one-time purchase (a lifetime deal): a payment intent, no subscription.
   *  `setup`: a card saved (or updated) through Checkout: a setup intent, nothing bought. */
  mode?: 'subscription' | 'payment' | 'setup';
  paymentIntentId?: string;
  /** Cents; default 4900 × the Sumo quantity for a payment-mode session, else 4900. */
  amountTotal?: number;
}

export interface SumoMetadataOptions {
  tierId?: string;
  quantity?: string;
  addons?: string;
  campaignId?: string;
}

/** The metadata Sumo puts on the Checkout Sessions it creates. */
export function sumoMetadata(options: SumoMetadataOptions = {}): Record<string, string> {
  return {
    sumo_campaign_id: options.campaignId ?? 'camp_spring_launch',
    sumo_product_id: 'prod_sumo_crm',
    sumo_product_tier_id: options.tierId ?? 'sumo_tier_2',
    sumo_user_id: `sumo_usr_${randomBytes(4).toString('hex')}`,
    sumo_quantity: options.quantity ?? '3',
    sumo_addons: options.addons ?? '["priority_support"]',
  };
}

/** What one code of a lifetime deal costs in the sample events (cents). */
export const LIFETIME_CODE_PRICE = 4900;

/** A realistic `checkout.session.*` event as Stripe sends it to a webhook endpoint. */
export function checkoutEvent(options: CheckoutEventOptions = {}): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const email = options.email === undefined ? `buyer.${randomBytes(4).toString('hex')}@example.com` : options.email;
  const payment = options.mode === 'payment';
  const setup = options.mode === 'setup';
  // Metadata may be anything a test throws at it (objects too): only a string or number counts codes.
  const quantity: unknown = options.metadata?.sumo_quantity ?? 1;
  const codes = typeof quantity === 'string' || typeof quantity === 'number' ? Number(quantity) : 1;
  const amount = options.amountTotal ?? (payment && Number.isSafeInteger(codes) && codes > 0 ? LIFETIME_CODE_PRICE * codes : 4900);
  const session = {
    id: options.sessionId ?? id('cs'),
    object: 'checkout.session',
    amount_subtotal: setup ? null : amount,
    amount_total: setup ? null : amount,
    client_reference_id: options.clientReferenceId ?? null,
    created: created - 60,
    currency: 'usd',
    customer: options.customerId ?? id('cus'),
    customer_creation: 'always',
    customer_details: { address: null, email, name: options.name ?? 'Ada Lovelace', phone: null, tax_exempt: 'none', tax_ids: [] },
    customer_email: null,
    expires_at: created + 86_400,
    livemode: false,
    metadata: options.metadata ?? {},
    mode: options.mode ?? 'subscription',
    payment_intent: payment ? (options.paymentIntentId ?? id('pi')) : null,
    payment_status: options.paymentStatus ?? (setup ? 'no_payment_required' : 'paid'),
    setup_intent: setup ? id('seti') : null,
    status: 'complete',
    subscription: options.subscriptionId === undefined ? (payment || setup ? null : id('sub')) : options.subscriptionId,
    success_url: 'https://app.example.com/welcome',
    url: null,
  };
  return {
    id: options.eventId ?? id('evt'),
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    data: { object: session },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: options.type ?? 'checkout.session.completed',
    ...(options.account ? { account: options.account } : {}),
  } as unknown as Stripe.Event;
}

/** The `Stripe-Signature` header Stripe would send for this exact payload. */
export function signPayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

export interface SubscriptionEventOptions {
  type:
    | 'customer.subscription.created'
    | 'customer.subscription.updated'
    | 'customer.subscription.deleted'
    | 'customer.subscription.paused'
    | 'customer.subscription.resumed';
  subscriptionId: string;
  status: string;
  eventId?: string;
  created?: number;
  customerId?: string;
  /** A catalogued price (e.g. `price_pro_monthly`) or any other. */
  priceId?: string;
  quantity?: number;
  metadata?: Record<string, string>;
  cancelAtPeriodEnd?: boolean;
  currentPeriodEnd?: number;
  account?: string;
  /** What an update changed, as Stripe's `data.previous_attributes` tells it: the item's quantity
   *  and/or price before (a portal upgrade, a quantity change). */
  previous?: { quantity?: number; priceId?: string };
}

/** A realistic `customer.subscription.*` event (API 2026-10-28: the period lives on the items). */
export function subscriptionEvent(options: SubscriptionEventOptions): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const periodEnd = options.currentPeriodEnd ?? created + 30 * 86_400;
  const priceId = options.priceId ?? 'price_sumo_deal';
  const subscription = {
    id: options.subscriptionId,
    object: 'subscription',
    cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
    canceled_at: options.status === 'canceled' ? created : null,
    created: created - 120,
    currency: 'usd',
    customer: options.customerId ?? id('cus'),
    items: {
      object: 'list',
      data: [
        {
          id: id('si'),
          object: 'subscription_item',
          current_period_start: periodEnd - 30 * 86_400,
          current_period_end: periodEnd,
          price: { id: priceId, object: 'price', lookup_key: null, recurring: { interval: 'month' }, unit_amount: 4900 },
          quantity: options.quantity ?? 1,
          subscription: options.subscriptionId,
        },
      ],
      has_more: false,
    },
    livemode: false,
    metadata: options.metadata ?? {},
    status: options.status,
  };
  const event = envelope(options.type, subscription, created, options.eventId, options.account);
  if (options.previous) {
    const before = {
      ...(options.previous.quantity !== undefined && { quantity: options.previous.quantity }),
      ...(options.previous.priceId !== undefined && { price: { ...subscription.items.data[0].price, id: options.previous.priceId } }),
    };
    Object.assign(event.data, { previous_attributes: { items: { data: [{ ...subscription.items.data[0], ...before }] } } });
  }
  return event;
}

export interface InvoiceEventOptions {
  type: 'invoice.paid' | 'invoice.payment_failed';
  subscriptionId: string;
  invoiceId?: string;
  eventId?: string;
  created?: number;
  customerEmail?: string | null;
  amountDue?: number;
  /** The invoice's own `created` (when Stripe made it, at its period's start); default: the event's. */
  invoiceCreated?: number;
  /** Default `usd`; `jpy` is zero-decimal (4900 is ¥4,900), `kwd` three-decimal. */
  currency?: string;
  account?: string;
}

/** A realistic `invoice.paid` / `invoice.payment_failed` event for a subscription's invoice. */
export function invoiceEvent(options: InvoiceEventOptions): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const paid = options.type === 'invoice.paid';
  const invoice = {
    id: options.invoiceId ?? id('in'),
    object: 'invoice',
    amount_due: options.amountDue ?? 4900,
    amount_paid: paid ? (options.amountDue ?? 4900) : 0,
    attempt_count: 1,
    billing_reason: 'subscription_cycle',
    created: options.invoiceCreated ?? created,
    currency: options.currency ?? 'usd',
    customer: id('cus'),
    customer_email: options.customerEmail === undefined ? null : options.customerEmail,
    hosted_invoice_url: 'https://invoice.stripe.com/i/test',
    livemode: false,
    next_payment_attempt: paid ? null : created + 3 * 86_400,
    parent: { type: 'subscription_details', subscription_details: { metadata: {}, subscription: options.subscriptionId } },
    status: paid ? 'paid' : 'open',
  };
  return envelope(options.type, invoice, created, options.eventId, options.account);
}

export function envelope(type: string, object: object, created: number, eventId?: string, account?: string): Stripe.Event {
  return {
    id: eventId ?? id('evt'),
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(account ? { account } : {}),
  } as unknown as Stripe.Event;
}
