import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** Stripe's API version pinned by the `stripe` package we use. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

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
  /** Connected account the event comes from (Sumo's purchases arrive through Connect). */
  account?: string;
  metadata?: Record<string, string>;
  created?: number;
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

/** A realistic `checkout.session.*` event as Stripe sends it to a webhook endpoint. */
export function checkoutEvent(options: CheckoutEventOptions = {}): Stripe.Event {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const email = options.email === undefined ? `buyer.${randomBytes(4).toString('hex')}@example.com` : options.email;
  const session = {
    id: options.sessionId ?? id('cs'),
    object: 'checkout.session',
    amount_subtotal: 4900,
    amount_total: 4900,
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
    mode: 'subscription',
    payment_intent: null,
    payment_status: options.paymentStatus ?? 'paid',
    status: 'complete',
    subscription: options.subscriptionId === undefined ? id('sub') : options.subscriptionId,
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
