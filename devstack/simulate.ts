/**
 * `npm run simulate -- sumo|direct [--email x] [--tier t] [--quantity n] [--url u]`
 * `npm run simulate -- updated|paused|resumed|deleted|payment-failed|paid --subscription sub_… [--quantity n] [--price p]`
 * `npm run simulate -- sumo-lifetime|direct-lifetime [--quantity n]` (a one-time purchase, payment mode)
 * `npm run simulate -- refund|dispute <checkout evt_… or pi_…> [--amount cents] [--status open|won|lost]`
 * Posts a realistic, signed Stripe event to the running service (like `stripe trigger`,
 * offline), then follows the workflow until it finishes.
 */
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { readDevState } from './dev-state';
import type Stripe from 'stripe';
import { checkoutEvent, invoiceEvent, signPayload, subscriptionEvent, sumoMetadata } from './sample-events';
import { payloadDataConverter } from '../src/temporal/payload-codec';
import { payloadKeysFromEnv } from '../src/temporal/payload-keys';
import { findLifetimeCheckout, PURCHASE_EVENT_KINDS, purchaseEvent, type PurchaseEventKind } from './simulate-purchase';
import { statusQuery } from '../src/contracts';

/** Lifecycle events for a subscription a checkout created. */
const LIFECYCLE: Record<string, (subscriptionId: string, quantity?: number, priceId?: string) => Stripe.Event> = {
  updated: (subscriptionId, quantity, priceId) =>
    subscriptionEvent({ type: 'customer.subscription.updated', subscriptionId, status: 'active', quantity, priceId }),
  paused: (subscriptionId, quantity, priceId) =>
    subscriptionEvent({ type: 'customer.subscription.paused', subscriptionId, status: 'paused', quantity, priceId }),
  resumed: (subscriptionId, quantity, priceId) =>
    subscriptionEvent({ type: 'customer.subscription.resumed', subscriptionId, status: 'active', quantity, priceId }),
  deleted: (subscriptionId, quantity, priceId) =>
    subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId, status: 'canceled', quantity, priceId }),
  'payment-failed': (subscriptionId) =>
    invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, invoiceId: `in_sim_${subscriptionId}` }),
  paid: (subscriptionId) => invoiceEvent({ type: 'invoice.paid', subscriptionId, invoiceId: `in_sim_${subscriptionId}` }),
};

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      tier: { type: 'string' },
      quantity: { type: 'string' },
      addons: { type: 'string' },
      subscription: { type: 'string' },
      price: { type: 'string' },
      amount: { type: 'string' },
      status: { type: 'string' },
      url: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  const kind = positionals[0] ?? '';
  const lifecycle = Object.hasOwn(LIFECYCLE, kind) ? LIFECYCLE[kind] : undefined;
  const purchaseKind = (PURCHASE_EVENT_KINDS as readonly string[]).includes(kind) ? (kind as PurchaseEventKind) : undefined;
  const checkoutKinds = ['sumo', 'direct', 'sumo-lifetime', 'direct-lifetime'];
  if (!checkoutKinds.includes(kind) && !lifecycle && !purchaseKind) {
    throw new Error(
      'usage: npm run simulate -- sumo|direct|sumo-lifetime|direct-lifetime [--email x] [--tier t] [--quantity n] [--addons \'["priority_support"]\']\n' +
        `       npm run simulate -- ${Object.keys(LIFECYCLE).join('|')} --subscription sub_… [--quantity n] [--price price_pro_monthly]\n` +
        '       npm run simulate -- refund <checkout evt_… or pi_…> [--amount cents refunded in all]\n' +
        '       npm run simulate -- dispute <checkout evt_… or pi_…> [--status open|won|lost]',
    );
  }
  if (lifecycle && !values.subscription) throw new Error(`${kind} needs --subscription sub_… (the result of a checkout shows it)`);
  if (purchaseKind && !positionals[1]) throw new Error(`${kind} needs the lifetime checkout's event id or payment intent`);

  const state = readDevState();
  const secret = process.env.STRIPE_WEBHOOK_SECRET?.split(',')[0] ?? state?.webhookSecret;
  if (!secret) throw new Error('no webhook secret: start `npm run dev` first, or set STRIPE_WEBHOOK_SECRET');
  const apiUrl = values.url ?? state?.apiUrl ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

  const lifetime = kind.endsWith('-lifetime');
  const metadata = kind.startsWith('sumo')
    ? sumoMetadata({ tierId: values.tier, quantity: values.quantity ?? (lifetime ? '3' : undefined), addons: values.addons })
    : { tier_id: values.tier ?? 'pro' };
  const connection = await Connection.connect({ address: state?.temporalAddress ?? process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    // The dev stack encrypts payloads: read the result with its key (or PAYLOAD_KEYS/_FILE when set).
    const { PAYLOAD_KEYS, PAYLOAD_KEYS_FILE } = process.env;
    const keys = payloadKeysFromEnv({
      PAYLOAD_KEYS,
      PAYLOAD_KEYS_FILE: PAYLOAD_KEYS_FILE ?? (PAYLOAD_KEYS ? undefined : state?.payloadKeysFile),
    });
    const client = new Client({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      dataConverter: payloadDataConverter(keys),
    });
    const event = lifecycle
      ? lifecycle(values.subscription!, values.quantity ? Number(values.quantity) : undefined, values.price)
      : purchaseKind
        ? purchaseEvent(purchaseKind, await findLifetimeCheckout(client, positionals[1]), values)
        : checkoutEvent({ email: values.email, metadata, ...(lifetime && { mode: 'payment' as const }) });
    await deliverAndFollow(client, event, apiUrl, secret, state?.temporalUiUrl ?? 'http://localhost:8233', values['no-wait']);
  } finally {
    await connection.close();
  }
}

async function deliverAndFollow(client: Client, event: Stripe.Event, apiUrl: string, secret: string, uiUrl: string, noWait: boolean) {
  const body = JSON.stringify(event);

  const started = Date.now();
  const response = await fetch(`${apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signPayload(body, secret) },
    body,
  });
  console.log(`POST ${apiUrl}/webhooks/stripe → ${response.status} ${await response.text()} (${Date.now() - started} ms)`);
  if (!response.ok || noWait) return;

  console.log(`workflow: ${uiUrl}/namespaces/default/workflows/${event.id}`);
  const handle = client.workflow.getHandle(event.id);
  const result: Promise<unknown> = handle.result().catch((err: unknown) => {
    if (!(err instanceof WorkflowFailedError)) throw err;
    throw new Error(`fulfillment failed after ${Date.now() - started} ms: ${err.cause?.message ?? err.message}`);
  });
  // A fulfillment that needs an operator waits (for days): report it instead of waiting with it.
  let done = false;
  const stuck = (async () => {
    while (!done) {
      const state = await handle.query(statusQuery).catch(() => null);
      if (state?.attention) return state.attention;
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  })();
  const outcome = await Promise.race([result.then((r) => ({ r })), stuck.then((a) => ({ a }))]).finally(() => (done = true));
  if ('a' in outcome && outcome.a) {
    throw new Error(
      `fulfillment needs attention at step ${outcome.a.step}: ${outcome.a.error}\n` +
        `see: npm run ops -- show ${event.id}   then: npm run ops -- retry|skip|cancel ${event.id} --reason "…"`,
    );
  }
  console.log(`fulfilled in ${Date.now() - started} ms from the POST:`, await result);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
