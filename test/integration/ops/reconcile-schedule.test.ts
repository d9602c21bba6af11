import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { startLocalStripeEvents, type LocalStripeEvents } from '../../support/local-stripe-events';
import { ensureReconcileSchedule, RECONCILE_SCHEDULE_ID } from '../../../src/temporal/reconcile-schedule';
import { startHarness, type Harness } from '../../support/harness';

let h: Harness;
let stripeApi: LocalStripeEvents;
beforeAll(async () => {
  stripeApi = await startLocalStripeEvents();
  h = await startHarness({ stripeApiBase: stripeApi.url });
});
afterAll(async () => {
  await h.client.schedule
    .getHandle(RECONCILE_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await h.close();
  await stripeApi.close();
});

describe('the reconcile Schedule', () => {
  it('is created once, updated when its settings change, and removed when turned off', async () => {
    const settings = { taskQueue: h.taskQueue, everyMs: 3_600_000, lookbackMs: 72 * 3_600_000 };
    expect(await ensureReconcileSchedule(h.client, settings)).toBe('created');
    expect(await ensureReconcileSchedule(h.client, settings)).toBe('unchanged');
    expect(await ensureReconcileSchedule(h.client, { ...settings, everyMs: 30 * 60_000 })).toBe('updated');
    const description = await h.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
    expect(Number(description.spec.intervals?.[0]?.every)).toBe(30 * 60_000);
    expect(await ensureReconcileSchedule(h.client, { ...settings, everyMs: null })).toBe('deleted');
    expect(await ensureReconcileSchedule(h.client, { ...settings, everyMs: null })).toBe('absent');
  });

  it('a run fulfils an event whose webhook never arrived', async () => {
    const email = `missed.${Date.now()}@example.com`;
    const missed = checkoutEvent({ email, created: Math.floor(Date.now() / 1000) - 600, metadata: sumoMetadata() });
    stripeApi.add(missed);
    await ensureReconcileSchedule(h.client, { taskQueue: h.taskQueue, everyMs: 3_600_000, lookbackMs: 3_600_000 });

    await h.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();

    await h.settled([missed.id]);
    await expect(h.result(missed.id)).resolves.toMatchObject({ userCreated: true });
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(await h.runCount(missed.id)).toBe(1);
  });
});
