import { checkoutEvent, LIFETIME_CODE_PRICE, sumoMetadata } from '../../../devstack/sample-events';
import { chargeRefundedEvent } from '../../../devstack/sample-purchase-events';
import { accessDeliveryWorkflowId, FailureType, statusQuery, WorkflowType } from '../../../src/contracts';
import { ACCESS_SWEEP_SCHEDULE_ID, ensureAccessSweepSchedule } from '../../../src/temporal/access-sweep-schedule';
import { PRODUCT_SECRET, distinctIds, startProduct, type Product } from '../../support/access-product';
import { eventually } from '../../support/eventually';
import { startHarness, type Harness } from '../../support/harness';
import { sumoLifetime, dealDispute, dealRefund } from '../../support/lifetime-events';
import { opsJson } from '../../support/ops-context';

/** How long the product is down: a round of attempts fails, the run is Retrying, its next round finds the product back. */
const OUTAGE_MS = 25_000;

let h: Harness;
let product: Product;
beforeAll(async () => {
  product = await startProduct();
  h = await startHarness({
    appWebhook: { url: product.url, secrets: [PRODUCT_SECRET] },
    // A round is 2 attempts (0.5 s apart); the window outlasts the outage, so no operator is asked.
    maxActivityAttempts: 2,
    retryWindowMs: 120_000,
  });
});
afterAll(async () => {
  await h.client.schedule
    .getHandle(ACCESS_SWEEP_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await h.close();
  await product.close();
});

const now = () => Math.floor(Date.now() / 1000);
const userIdOf = async (email: string) => (await h.db.user.findUniqueOrThrow({ where: { email } })).id;
async function deliverAll(...events: Array<{ id: string }>): Promise<void> {
  for (const event of events) expect((await h.deliver(event)).statusCode).toBe(200);
  await h.settled(events.map((e) => e.id));
}
const deliveryState = (userId: string) =>
  h.client.workflow
    .getHandle(accessDeliveryWorkflowId(userId))
    .query(statusQuery)
    .catch(() => null);

describe('access events through the product’s outages', () => {
  it('the product down for 25 s: its deliveries are Retrying, then every change arrives, in order per user, one event id each', async () => {
    await product.down();
    const downAt = Date.now();
    const t = now() - 100;
    const deal = sumoLifetime({ quantity: 3, created: t });
    const other = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_1', quantity: '2' }) });
    let userId: string;
    let otherId: string;
    try {
      await deliverAll(deal.checkout, other);
      await deliverAll(dealRefund(deal, t + 10));
      await deliverAll(dealDispute(deal, t + 20));
      await deliverAll(dealDispute(deal, t + 30, 'won'));
      userId = await userIdOf(deal.email);
      otherId = await userIdOf((other.data.object as { customer_details: { email: string } }).customer_details.email);

      // Written, waiting, and the run says why: Retrying at its first event.
      expect(await h.db.accessEvent.count({ where: { userId, status: 'pending' } })).toBe(4);
      const retrying = await eventually(
        () => deliveryState(userId),
        (s) => s?.status === 'Retrying',
      );
      expect(retrying?.retrying).toMatchObject({ step: 'deliverAccessEvent', error: expect.stringContaining('ECONNREFUSED') });
      const described = await h.client.workflow.getHandle(accessDeliveryWorkflowId(userId)).describe();
      expect(described.searchAttributes.FulfillmentStatus).toEqual(['Retrying']);
      expect(product.received).toHaveLength(0);
    } finally {
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
      await product.up();
    }

    const events = await product.until(userId, (e) => distinctIds(e).length === 4, 90_000);
    await product.until(otherId, (e) => e.length === 1, 30_000);
    await h.client.workflow.getHandle(accessDeliveryWorkflowId(userId)).result();
    expect(events.map((e) => e.reason)).toEqual(['granted', 'changed', 'suspended', 'restored']);
    expect(distinctIds(events)).toHaveLength(4);
    expect(product.eventsOf(otherId).map((e) => [e.reason, e.access.seats])).toEqual([['granted', 2]]);
    const rows = await h.db.accessEvent.findMany({ where: { userId }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.id, r.status])).toEqual(events.map((e) => [e.id, 'delivered']));
    expect(rows[0].attempts).toBeGreaterThan(2);
  }, 150_000);

  it('the product refuses an event (a wrong secret on its side): NeedsAttention at once, later events wait; `ops retry` after the fix delivers both in order', async () => {
    product.secrets.splice(0, 1, 'a_secret_the_service_does_not_have_0123');
    const deal = sumoLifetime({ quantity: 3, created: now() - 100 });
    await deliverAll(deal.checkout);
    const userId = await userIdOf(deal.email);
    const workflowId = accessDeliveryWorkflowId(userId);
    const attention = await eventually(
      () => deliveryState(userId),
      (s) => !!s?.attention,
    );
    expect(attention?.attention).toMatchObject({ step: 'deliverAccessEvent', errorType: FailureType.AccessWebhookRejected });
    expect(attention?.attention?.error).toContain('answered 400');
    await deliverAll(
      chargeRefundedEvent({ paymentIntentId: deal.paymentIntentId, amount: deal.amount, amountRefunded: LIFETIME_CODE_PRICE }),
    );
    expect(product.eventsOf(userId)).toHaveLength(0);

    product.secrets.splice(0, 1, PRODUCT_SECRET);
    await expect(opsJson(h, ['retry', workflowId, '--reason', 'product secret fixed'])).resolves.toMatchObject({ outcome: 'applied' });
    const events = await product.until(userId, (e) => e.length === 2);
    expect(events.map((e) => [e.reason, e.access.seats])).toEqual([
      ['granted', 9],
      ['changed', 6],
    ]);
  });

  it('a change whose delivery could not be started (Temporal refused the wake) is delivered by the sweep', async () => {
    const delivery = h.workerDeps().accessEvents!.delivery;
    const wake = delivery.wake.bind(delivery);
    delivery.wake = () => Promise.reject(new Error('Temporal unavailable (test)'));
    const deal = sumoLifetime({ quantity: 1 });
    try {
      await deliverAll(deal.checkout);
    } finally {
      delivery.wake = wake;
    }
    const userId = await userIdOf(deal.email);
    expect(await h.db.accessEvent.count({ where: { userId, status: 'pending' } })).toBe(1);
    expect(await h.workflowExists(accessDeliveryWorkflowId(userId))).toBe(false);

    // The sweep leaves events younger than 30 s to the run their change woke: this one is older.
    await h.db.accessEvent.updateMany({ where: { userId }, data: { createdAt: new Date(Date.now() - 60_000) } });
    await ensureAccessSweepSchedule(h.client, { taskQueue: h.taskQueue, everyMs: 3_600_000 });
    await h.client.schedule.getHandle(ACCESS_SWEEP_SCHEDULE_ID).trigger();
    const [granted] = await product.until(userId, (e) => e.length === 1);
    expect(granted).toMatchObject({ reason: 'granted', access: { seats: 3 } });
  });

  it('the sweep’s Schedule is created once, updated when its interval changes, and removed when access events are off', async () => {
    const settings = { taskQueue: h.taskQueue, everyMs: 5 * 60_000 };
    await h.client.schedule
      .getHandle(ACCESS_SWEEP_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    expect(await ensureAccessSweepSchedule(h.client, settings)).toBe('created');
    expect(await ensureAccessSweepSchedule(h.client, settings)).toBe('unchanged');
    expect(await ensureAccessSweepSchedule(h.client, { ...settings, everyMs: 60_000 })).toBe('updated');
    const description = await h.client.schedule.getHandle(ACCESS_SWEEP_SCHEDULE_ID).describe();
    expect(Number(description.spec.intervals?.[0]?.every)).toBe(60_000);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: WorkflowType.sweepAccessEvents });
    expect(await ensureAccessSweepSchedule(h.client, { ...settings, everyMs: null })).toBe('deleted');
    expect(await ensureAccessSweepSchedule(h.client, { ...settings, everyMs: null })).toBe('absent');
  });
});
