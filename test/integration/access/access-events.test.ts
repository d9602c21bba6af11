import { checkoutEvent, invoiceEvent, sumoMetadata } from '../../../devstack/sample-events';
import type { AccessEvent } from '../../../docs/examples/access-receiver';
import { accessDeliveryWorkflowId } from '../../../src/contracts';
import { distinctIds, PRODUCT_SECRET, startProduct, type Product } from '../../support/access-product';
import { startHarness, type Harness } from '../../support/harness';
import { sumoLifetime, dealDispute, dealRefund } from '../../support/lifetime-events';
import { startLocalStripeEvents, type LocalStripeEvents } from '../../support/local-stripe-events';
import { opsJson } from '../../support/ops-context';
import { defaultPayloadConverter } from '@temporalio/common';
import { runCli } from '../../../src/ops/cli';
import { createOpsContext } from '../../../src/ops/context';
import type { AccessDeliveryInput } from '../../../src/contracts';
import { testEnv } from '../../support/test-env';

/** A past_due grace period short enough to see it end (production: PAST_DUE_GRACE_PERIOD, 7 days). */
const GRACE_MS = 8_000;
const TOKEN = 'access_check_token_for_tests_only_0123';

let h: Harness;
let product: Product;
let stripeApi: LocalStripeEvents;
beforeAll(async () => {
  [product, stripeApi] = await Promise.all([startProduct(), startLocalStripeEvents()]);
  h = await startHarness({
    stripeApiBase: stripeApi.url,
    pastDueGraceMs: GRACE_MS,
    appWebhook: { url: product.url, secrets: [PRODUCT_SECRET] },
    accessApiTokens: [TOKEN],
  });
});
afterAll(async () => {
  await h.close();
  await Promise.all([product.close(), stripeApi.close()]);
});

const now = () => Math.floor(Date.now() / 1000);
const userIdOf = async (email: string) => (await h.db.user.findUniqueOrThrow({ where: { email } })).id;
async function deliverAll(...events: Array<{ id: string }>): Promise<void> {
  for (const event of events) expect((await h.deliver(event)).statusCode).toBe(200);
  await h.settled(events.map((e) => e.id));
}
/** The check, as the product calls it. */
const check = async (query: string) => {
  const res = await h.app.inject({ method: 'GET', url: `/access${query}`, headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  return res.json();
};
/** Waits for the user's `count`-th distinct event and returns the distinct events, in order. */
async function eventsOf(userId: string, count: number): Promise<AccessEvent[]> {
  const all = await product.until(userId, (events) => distinctIds(events).length >= count);
  const first = new Map<string, AccessEvent>();
  for (const e of all) if (!first.has(e.id)) first.set(e.id, e);
  return [...first.values()];
}
/** No run is left delivering the user's events: nothing more will arrive. */
/** A lifetime deal of `quantity` codes, fulfilled, its access.granted delivered and the user's delivery run done. */
async function lifetimeDealDelivered(quantity: number) {
  const deal = sumoLifetime({ quantity });
  await deliverAll(deal.checkout);
  const userId = await userIdOf(deal.email);
  const [granted] = await eventsOf(userId, 1);
  await drained(userId);
  return { deal, userId, granted };
}
const drained = async (userId: string) => {
  await h.client.workflow.getHandle(accessDeliveryWorkflowId(userId)).result();
  expect(await h.db.accessEvent.count({ where: { userId, status: 'pending' } })).toBe(0);
};

describe('access events: the product is told every change of a user’s access', () => {
  it('a Sumo purchase: one access.updated, granted, with the tier’s seats × licences and its features', async () => {
    const checkout = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3', addons: '["priority_support"]' }) });
    const email = (checkout.data.object as { customer_details: { email: string } }).customer_details.email;
    await deliverAll(checkout);
    const userId = await userIdOf(email);
    const [granted] = await eventsOf(userId, 1);
    await drained(userId);

    expect(product.eventsOf(userId)).toHaveLength(1);
    expect(granted).toMatchObject({
      id: expect.stringMatching(/^acc_[0-9a-f]{32}$/),
      type: 'access.updated',
      reason: 'granted',
      user: { id: userId, email },
      access: {
        active: true,
        seats: 9,
        features: ['core', 'integrations', 'priority_support', 'reports'],
        items: [{ kind: 'subscription', plan: 'sumo-growth', source: 'sumo', term: 'renewing', state: 'active', licences: 3, seats: 9 }],
      },
    });
    expect(Math.abs(granted.created - now())).toBeLessThan(60);
  });

  it('a lifetime deal: granted 9 seats; one code of three refunded → changed, 6; a dispute → suspended; won → restored; the check says what the last event said', async () => {
    const t = now() - 100;
    const deal = sumoLifetime({ quantity: 3, created: t });
    await deliverAll(deal.checkout);
    const userId = await userIdOf(deal.email);
    await eventsOf(userId, 1);
    await deliverAll(dealRefund(deal, t + 10));
    await eventsOf(userId, 2);
    await deliverAll(dealDispute(deal, t + 20));
    await eventsOf(userId, 3);
    await deliverAll(dealDispute(deal, t + 30, 'won'));
    const events = await eventsOf(userId, 4);
    await drained(userId);

    const item = (e: AccessEvent) => e.access.items[0];
    expect(events.map((e) => [e.reason, e.access.active, e.access.seats, item(e).state, item(e).seats])).toEqual([
      ['granted', true, 9, 'active', 9],
      ['changed', true, 6, 'active', 6],
      ['suspended', false, 0, 'suspended', 0],
      ['restored', true, 6, 'active', 6],
    ]);
    expect(events[1].access.items[0]).toMatchObject({ kind: 'purchase', id: deal.paymentIntentId, term: 'lifetime', licences: 2 });
    expect(events[2].access.features).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events.map((e) => e.created)).toEqual([...events.map((e) => e.created)].sort((a, b) => a - b));

    // The check answers what the newest event said, by email and by id (without the email).
    const last = events[3];
    await expect(check(`?email=${encodeURIComponent(deal.email.toUpperCase())}`)).resolves.toEqual({
      user: { id: userId, email: deal.email },
      access: last.access,
    });
    await expect(check(`/users/${userId}`)).resolves.toEqual({ user: { id: userId }, access: last.access });
    expect(product.users.get(userId)?.access).toEqual(last.access);
  });

  it('a grace period: granted, then grace_started with its end, then revoked when it ends — with no Stripe event', async () => {
    const subscriptionId = `sub_test_access_grace_${Date.now()}`;
    const email = `access.grace.${Date.now()}@example.com`;
    await deliverAll(checkoutEvent({ email, subscriptionId, created: now() - 60, metadata: sumoMetadata() }));
    const userId = await userIdOf(email);
    await eventsOf(userId, 1);
    // The grace period counts from the failed payment's `created`.
    const t = now();
    const failed = invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, created: t, customerEmail: email });
    await deliverAll(failed);
    const started = (await eventsOf(userId, 2))[1];
    expect(started).toMatchObject({ reason: 'grace_started', access: { active: true, seats: 9, items: [{ state: 'grace' }] } });
    const graceUntil = Date.parse(started.access.items[0].graceUntil!);
    expect(Math.abs(graceUntil - (t * 1000 + GRACE_MS))).toBeLessThan(2_000);

    const events = await eventsOf(userId, 3);
    expect(events.map((e) => e.reason)).toEqual(['granted', 'grace_started', 'revoked']);
    expect(events[2].access).toMatchObject({ active: false, seats: 0, features: [], items: [{ state: 'revoked', graceUntil: null }] });
    expect(events[2].created * 1000).toBeGreaterThanOrEqual(graceUntil - 1_000);
    // No Stripe event came after the failed payment: the revocation is its own grace period's end.
    // (The ledger's count would not say so: other test files write to it at the same time.)
    expect((await h.db.accessEvent.findFirstOrThrow({ where: { id: events[2].id } })).causeEventId).toBe(failed.id);
  });

  it('changes of two items of one user committed at once: each event is the state right after its change, and the newest is what the check says', async () => {
    const t = now() - 100;
    const deal = sumoLifetime({ quantity: 3, created: t });
    const subscription = checkoutEvent({ email: deal.email, created: t, metadata: sumoMetadata({ tierId: 'sumo_tier_1', quantity: '2' }) });
    const refund = dealRefund(deal, t + 10);
    const dispute = dealDispute(deal, t + 20);
    const all = [deal.checkout, subscription, refund, dispute];
    const answers = await Promise.all(all.map((e) => h.deliver(e)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    await h.settled(all.map((e) => e.id));
    const userId = await userIdOf(deal.email);
    const rows = await h.db.accessEvent.findMany({ where: { userId }, orderBy: { seq: 'asc' } });
    const events = await eventsOf(userId, rows.length);
    await drained(userId);

    // Delivered in the order committed, each once; no event repeats the state before it.
    expect(events.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    for (let i = 1; i < events.length; i++) expect(events[i].access).not.toEqual(events[i - 1].access);
    const last = events[events.length - 1].access;
    expect(last).toMatchObject({
      active: true,
      seats: 2,
      items: [
        { kind: 'subscription', state: 'active', seats: 2 },
        { kind: 'purchase', id: deal.paymentIntentId, state: 'suspended', licences: 2, seats: 0 },
      ],
    });
    await expect(check(`/users/${userId}`)).resolves.toEqual({ user: { id: userId }, access: last });
  });

  it('`ops access show` lists the user’s access and events; `ops access resend` delivers one again with the same id and body', async () => {
    const { deal, userId, granted } = await lifetimeDealDelivered(2);

    const shown = await opsJson(h, ['access', 'show', deal.email]);
    expect(shown).toMatchObject({
      user: { id: userId, email: expect.not.stringContaining(deal.email) },
      access: granted.access,
      events: [{ id: granted.id, reason: 'granted', status: 'delivered', attempts: 1, causeEventId: deal.checkout.id }],
      delivery: { workflowId: accessDeliveryWorkflowId(userId), status: 'Completed' },
    });

    await expect(opsJson(h, ['access', 'resend', granted.id, '--reason', 'the product lost it'])).resolves.toMatchObject({
      accessEventId: granted.id,
      previous: 'delivered',
    });
    const again = await product.until(userId, (events) => events.length === 2);
    expect(again[1]).toEqual(granted);
    expect(distinctIds(again)).toEqual([granted.id]);
  });

  it('`ops access resend` starts the delivery with the step policy of the environment it runs in, as the worker does', async () => {
    const { userId, granted } = await lifetimeDealDelivered(1);

    // The production CLI's context, from the variables an operator's shell holds.
    const ctx = createOpsContext({
      DATABASE_URL: testEnv.databaseUrl,
      TEMPORAL_ADDRESS: testEnv.temporalAddress,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      ACTIVITY_MAX_ATTEMPTS: '7',
      RETRY_WINDOW: '9m',
    });
    try {
      const { code, output } = await runCli(['access', 'resend', granted.id], ctx);
      expect({ code, output }).toMatchObject({ code: 0 });
    } finally {
      await ctx.close();
    }
    await product.until(userId, (events) => events.length === 2);
    const { events } = await h.client.workflow.getHandle(accessDeliveryWorkflowId(userId)).fetchHistory();
    const [input] = events![0].workflowExecutionStartedEventAttributes!.input!.payloads!.map((p) =>
      defaultPayloadConverter.fromPayload<AccessDeliveryInput>(p),
    );
    expect(input.policy).toMatchObject({ attemptsPerRound: 7, retryWindowMs: 9 * 60_000 });
  });
});
