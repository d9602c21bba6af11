import { createStripeClient } from '../../../src/clients/stripe';
import type { ReconcileCursor } from '../../../src/contracts';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { EVENT_GENERATION_FAILURE_RESOLVED, reconcileStripeEvents } from '../../../src/ingest/reconcile';
import { runCli } from '../../../src/ops/cli';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';
import { opsContextFor, opsJson } from '../../support/ops-context';

const h = useHarness();
const stripeApi = useLocalStripeEvents();

const stripe = () => createStripeClient('sk_test_ops', stripeApi.url);
const ingest = () => ({ db: h.db, fulfillments: createFulfillmentStarter(h.client, h.taskQueue) });
const ops = (...argv: string[]) => opsJson(h, argv, { stripe: stripe() });

describe('reconciliation at scale', () => {
  it('pages through Stripe one page at a time, and an attempt that died resumes from its last cursor: every missed event runs once', async () => {
    const t = Math.floor(Date.now() / 1000) - 1800;
    const missed = Array.from({ length: 5 }, (_, i) => checkoutEvent({ created: t + i, metadata: sumoMetadata() }));
    stripeApi.add(...missed);
    const since = new Date((t - 1) * 1000);
    const before = stripeApi.requests.length;

    // The first attempt dies after its first page (a worker crash), having heartbeated its cursor.
    let heartbeated: ReconcileCursor | null = null;
    const crash = new Error('worker died');
    await expect(
      reconcileStripeEvents(stripe(), ingest(), since, [], {
        pageSize: 2,
        onPage: (cursor) => {
          heartbeated = structuredClone(cursor);
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(heartbeated).toMatchObject({ account: 0, startingAfter: missed[3].id, report: { listed: 2, startedCount: 2 } });

    const report = await reconcileStripeEvents(stripe(), ingest(), since, [], { pageSize: 2, resume: heartbeated });
    expect(report).toMatchObject({ listed: 5, startedCount: 5, duplicate: 0, failed: [] });
    expect([...report.started].sort()).toEqual(missed.map((e) => e.id).sort());
    // Newest first, two at a time; the resumed attempt starts after the cursor, not from the top.
    const pages = stripeApi.requests.slice(before).filter((r) => r.startsWith('/v1/events?'));
    expect(pages.map((r) => new URL(r, 'http://x').searchParams.get('starting_after'))).toEqual([null, missed[3].id, missed[1].id]);
    await h.settled(missed.map((e) => e.id));
    for (const e of missed) expect(await h.runCount(e.id)).toBe(1);
  });

  it('counts no delivery, and leaves alone a run an operator terminated in the Temporal UI', async () => {
    const t = Math.floor(Date.now() / 1000) - 600;
    const delivered = checkoutEvent({ created: t, metadata: sumoMetadata() });
    const missed = checkoutEvent({ created: t + 1, metadata: sumoMetadata() });
    const terminated = checkoutEvent({ created: t + 2, metadata: sumoMetadata({ tierId: 'sumo_tier_unknown_here' }) });
    stripeApi.add(delivered, missed, terminated);
    await h.deliver(delivered);
    await h.deliver(terminated);
    await h.result(delivered.id);
    await h.attention(terminated.id);
    await h.client.workflow.getHandle(terminated.id).terminate('operator: known-bad test purchase');

    for (let pass = 0; pass < 2; pass++) await ops('reconcile', '--since', '20m');
    await h.settled([missed.id]);

    const rows = await h.db.stripeEvent.findMany({ where: { id: { in: [delivered.id, missed.id, terminated.id] } } });
    const deliveries = Object.fromEntries(rows.map((r) => [r.id, r.deliveries]));
    expect(deliveries).toEqual({ [delivered.id]: 1, [missed.id]: 0, [terminated.id]: 1 });
    expect(await h.runCount(missed.id)).toBe(1);
    expect(await h.runCount(terminated.id)).toBe(1);
    expect((await h.client.workflow.getHandle(terminated.id).describe()).status.name).toBe('TERMINATED');
  });

  it("detects and reports Stripe's event generation failures (events Stripe never generated)", async () => {
    stripeApi.addV2({
      id: 'evt_v2_generation_failure_1',
      object: 'v2.core.event',
      type: EVENT_GENERATION_FAILURE_RESOLVED,
      created: new Date(Date.now() - 60_000).toISOString(),
      data: {
        alert_id: 'alert_1',
        grouping_key: 'gk_1',
        impact: {
          event_type: 'checkout.session.completed',
          related_object: { id: 'cs_test_never_evented', type: 'checkout_session', url: '/v1/checkout/sessions/cs_test_never_evented' },
        },
        resolved_at: new Date().toISOString(),
        summary: 'Events were not generated for a period',
      },
    });
    const report = await ops('reconcile', '--since', '1h');
    expect(report.generationFailures).toEqual([
      expect.objectContaining({
        alertId: 'alert_1',
        eventType: 'checkout.session.completed',
        relatedObject: { id: 'cs_test_never_evented', type: 'checkout_session' },
      }),
    ]);
    const human = await runCli(['reconcile', '--since', '1h'], opsContextFor(h, { stripe: stripe() }));
    expect(human.output).toMatch(
      /NEVER GENERATED by Stripe: a checkout\.session\.completed event about checkout_session cs_test_never_evented/,
    );
  });
});
