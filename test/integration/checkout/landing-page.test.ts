import type Stripe from 'stripe';
import { buildApp } from '../../../src/app';
import { createStripeClient } from '../../../src/clients/stripe';
import { checkoutEvent, id, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { refundEvent } from '../../../devstack/sample-purchase-events';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { createRunStatusReader } from '../../../src/temporal/run-status';
import { useHarness, WEBHOOK_SECRET } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';
import { sumoLifetime } from '../../support/lifetime-events';

const stripe = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripe.url }));

/** An answer that names no plan: nothing was granted (yet). */
const NO_PLAN = { plan: null, seats: null, licences: null, lifetime: null };
const nothingGranted = (status: string, sessionId: string) => ({ status, sessionId, ...NO_PLAN });
const sessionOf = (event: Stripe.Event) => event.data.object as Stripe.Checkout.Session;
const ask = (sessionId: string, query = '', headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url: `/checkout/sessions/${sessionId}${query}`, headers });

/** A Sumo purchase Stripe holds (its session, and the event that fulfils it) but never delivered. */
function heldByStripe(options: Parameters<typeof checkoutEvent>[0] = {}) {
  const event = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '2' }), ...options });
  stripe.addSession(sessionOf(event));
  stripe.add(event);
  return event;
}

describe('GET /checkout/sessions/:id (the landing page)', () => {
  it('fulfils a paid session whose webhook has not arrived, once; the webhook that comes later is a duplicate', async () => {
    const event = heldByStripe();
    const session = sessionOf(event);

    const answer = await ask(session.id, '?wait=15');
    expect(answer.statusCode).toBe(200);
    // What it gave, as the ledger's fulfillment recorded it: plan and counts, nothing personal.
    const subscription = await h.db.subscription.findFirstOrThrow({ where: { checkoutSessionId: session.id } });
    expect(answer.json()).toEqual({
      status: 'fulfilled',
      sessionId: session.id,
      plan: subscription.plan,
      seats: subscription.seatLimit,
      licences: subscription.quantity,
      lifetime: false,
    });
    expect(await h.runCount(event.id)).toBe(1);
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'completed', deliveries: 1 });

    const late = await h.deliver(event);
    expect(late.json()).toMatchObject({ received: true, duplicate: true });
    expect(await h.runCount(event.id)).toBe(1);
    expect(await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ deliveries: 2 });
    await h.result(event.id); // the welcome follows access
    const email = session.customer_details!.email!;
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('a burst of polls before the webhook starts one fulfillment, and a webhook racing them changes nothing', async () => {
    const event = heldByStripe();
    const session = sessionOf(event);

    const answers = await Promise.all([...Array.from({ length: 8 }, () => ask(session.id, '?wait=15')), h.deliver(event)]);
    for (const answer of answers.slice(0, 8)) expect(answer.json()).toMatchObject({ status: 'fulfilled' });
    expect(await h.runCount(event.id)).toBe(1);
    // Fulfilled means access; the welcome follows it.
    await h.result(event.id);
    const email = session.customer_details!.email!;
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('answers fulfilled as soon as a webhook-delivered purchase is fulfilled, not when its wait runs out', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    const session = sessionOf(event);
    stripe.addSession(session);
    const asked = Date.now();
    const waiting = ask(session.id, '?wait=15');
    await h.deliver(event);

    const answer = await waiting;
    const answeredAt = Date.now();
    expect(answer.json()).toMatchObject({ status: 'fulfilled', sessionId: session.id });
    const { completedAt } = await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(completedAt!.getTime()).toBeLessThanOrEqual(answeredAt);
    expect(answeredAt - asked).toBeLessThan(15_000);
  });

  it('an unpaid session is pending and starts nothing', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata(), paymentStatus: 'unpaid' });
    const session = sessionOf(event);
    stripe.addSession(session);
    stripe.add(event);

    const answer = await ask(session.id, '?wait=1');
    expect(answer.json()).toEqual({ status: 'pending', sessionId: session.id, plan: null, seats: null, licences: null, lifetime: null });
    expect(await h.db.stripeEvent.count({ where: { checkoutSessionId: session.id } })).toBe(0);
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('a paid session whose event Stripe has not listed yet is pending, and fulfilled once the event is there', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    const session = sessionOf(event);
    stripe.addSession(session);

    expect((await ask(session.id)).json()).toMatchObject({ status: 'pending' });
    expect(await h.workflowExists(event.id)).toBe(false);

    stripe.add(event);
    expect((await ask(session.id, '?wait=15')).json()).toMatchObject({ status: 'fulfilled' });
    expect(await h.runCount(event.id)).toBe(1);
  });

  it('404 for a session neither the service nor Stripe knows, and for a malformed id', async () => {
    const unknown = await ask(id('cs'), '?wait=15');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found' });
    expect((await ask('not-a-session')).statusCode).toBe(404);
  });

  it('needs_attention when the purchase cannot be fulfilled without an operator', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata({ quantity: 'lots' }) });
    const session = sessionOf(event);
    await h.deliver(event);
    await h.attention(event.id);

    const answer = await ask(session.id, '?wait=15');
    expect(answer.json()).toEqual(nothingGranted('needs_attention', session.id));
  });

  it('a delayed payment that failed answers payment_failed, not fulfilled: nothing was granted', async () => {
    const subscriptionId = id('sub');
    const failed = checkoutEvent({
      type: 'checkout.session.async_payment_failed' as never,
      subscriptionId,
      paymentStatus: 'unpaid',
      metadata: sumoMetadata(),
    });
    const session = sessionOf(failed);
    stripe.addSession(session);
    stripe.add(failed);
    await h.deliver(failed);
    await h.settled([failed.id]);

    const answer = await ask(session.id, '?wait=15');
    expect(answer.json()).toEqual(nothingGranted('payment_failed', session.id));
    expect(await h.db.subscription.findUniqueOrThrow({ where: { stripeSubscriptionId: subscriptionId } })).toMatchObject({
      hasAccess: false,
    });
  });

  it('a one-time purchase whose delayed payment failed answers payment_failed, from what Stripe holds', async () => {
    const failed = checkoutEvent({
      type: 'checkout.session.async_payment_failed' as never,
      mode: 'payment',
      paymentStatus: 'unpaid',
      metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '2' }),
    });
    const session = sessionOf(failed);
    stripe.addSession(session);
    stripe.add(failed);
    // A one-time purchase has no subscription to sync: the webhook acknowledges the event and starts nothing.
    expect((await h.deliver(failed)).json()).toMatchObject({ ignored: true });

    const answer = await ask(session.id, '?wait=15');
    expect(answer.json()).toEqual(nothingGranted('payment_failed', session.id));
  });

  it('a checkout whose subscription was deleted before it was processed is not fulfilled with a plan: no_access', async () => {
    const subscriptionId = id('sub');
    const t = Math.floor(Date.now() / 1000) - 100;
    const deleted = subscriptionEvent({ type: 'customer.subscription.deleted', subscriptionId, status: 'canceled', created: t + 20 });
    const checkout = checkoutEvent({ subscriptionId, created: t, metadata: sumoMetadata() });
    await h.deliver(deleted);
    await h.settled([deleted.id]);
    await h.deliver(checkout);
    await h.settled([checkout.id]);

    const answer = await ask(sessionOf(checkout).id, '?wait=15');
    expect(answer.json()).toEqual({
      status: 'no_access',
      sessionId: sessionOf(checkout).id,
      plan: null,
      seats: null,
      licences: null,
      lifetime: null,
    });
  });

  it('a lifetime deal fully refunded before its checkout was processed answers no_access', async () => {
    const t = Math.floor(Date.now() / 1000) - 100;
    const deal = sumoLifetime({ quantity: 2, created: t });
    const refund = refundEvent({ type: 'refund.created', paymentIntentId: deal.paymentIntentId, amount: deal.amount, created: t + 20 });
    await h.deliver(refund);
    await h.settled([refund.id]);
    await h.deliver(deal.checkout);
    await h.settled([deal.checkout.id]);

    const session = sessionOf(deal.checkout);
    const answer = await ask(session.id, '?wait=15');
    expect(answer.json()).toEqual({ status: 'no_access', sessionId: session.id, plan: null, seats: null, licences: null, lifetime: null });
  });

  it('a run terminated or cancelled from the Temporal UI answers needs_attention, not pending forever', async () => {
    for (const close of ['terminate', 'cancel'] as const) {
      const event = checkoutEvent({ metadata: sumoMetadata({ quantity: 'lots' }) });
      const session = sessionOf(event);
      stripe.addSession(session);
      stripe.add(event);
      await h.deliver(event);
      await h.attention(event.id);
      const handle = h.client.workflow.getHandle(event.id);
      if (close === 'terminate') await handle.terminate('stopped from the Temporal UI');
      else await handle.cancel();
      await expect(handle.result()).rejects.toThrow();

      const answer = await ask(session.id, '?wait=2');
      expect({ close, answer: answer.json() }).toEqual({
        close,
        answer: { status: 'needs_attention', sessionId: session.id, plan: null, seats: null, licences: null, lifetime: null },
      });
      expect(await h.runCount(event.id)).toBe(1);
    }
  });

  it('refuses a wait above 20 s', async () => {
    const answer = await ask(id('cs'), '?wait=21');
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: 'bad_wait' });
  });

  it('lets only the configured origins read it from a browser', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    await h.deliver(event);
    await h.result(event.id);
    const allowed = await ask(sessionOf(event).id, '', { origin: 'https://app.example.test' });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.test');
    const stranger = await ask(sessionOf(event).id, '', { origin: 'https://evil.example' });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await h.app.inject({
      method: 'OPTIONS',
      url: `/checkout/sessions/${sessionOf(event).id}`,
      headers: { origin: 'https://app.example.test' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.test');
  });

  it('limits each client to its requests a minute (429 with Retry-After), others unaffected', async () => {
    const app = await buildApp({
      db: h.db,
      fulfillments: createFulfillmentStarter(h.client, h.taskQueue),
      webhookSecrets: [WEBHOOK_SECRET],
      checkoutStatus: {
        stripe: createStripeClient('sk_test_local', stripe.url),
        runStatus: createRunStatusReader(h.client),
        corsOrigins: [],
        ratePerMinute: 3,
      },
    });
    try {
      const from = (remoteAddress: string) => app.inject({ method: 'GET', url: `/checkout/sessions/${id('cs')}`, remoteAddress });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await from('203.0.113.7')).statusCode);
      expect(codes).toEqual([404, 404, 404, 429]);
      const limited = await from('203.0.113.7');
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.json()).toMatchObject({ error: 'rate_limited' });
      expect((await from('198.51.100.9')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
