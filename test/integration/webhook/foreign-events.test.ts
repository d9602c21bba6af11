import { buildApp } from '../../../src/app';
import { createWebhookMetrics } from '../../../src/http/webhook-metrics';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { deliverSigned } from '../../support/deliver-signed';
import { useHarness } from '../../support/harness';
import { perFile } from '../../support/per-file';

/**
 * Only our events are fulfilled: one whose livemode differs from the account mode the service
 * runs in, or from a connected account that is not on the allow-list, is acknowledged (Stripe
 * must stop retrying), logged and counted — never started, never recorded.
 */
const SECRET = 'whsec_test_foreign';
const webhookMetrics = createWebhookMetrics();
const h = useHarness();
const app = perFile(
  'the live-mode app',
  () =>
    buildApp({
      metrics: webhookMetrics,
      db: h.db,
      fulfillments: createFulfillmentStarter(h.client, h.taskQueue),
      webhookSecrets: [SECRET],
      acceptedEvents: { livemode: true, connectAccounts: ['acct_test_partner'] },
    }),
  (a) => a.close(),
);

const deliver = (event: object) => deliverSigned(app, event, SECRET);

describe('events that are not ours', () => {
  it.each([
    ['a test-mode event on a live service', { ...checkoutEvent({ metadata: sumoMetadata() }), livemode: false }, 'livemode_mismatch'],
    [
      'an event of a connected account not on the allow-list',
      { ...checkoutEvent({ account: 'acct_test_stranger', metadata: sumoMetadata() }), livemode: true },
      'account_not_allowed',
    ],
  ])('%s is answered 200 ignored, counted, and never fulfilled', async (_case, event, reason) => {
    const response = await deliver(event);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, ignored: true });
    expect(await h.workflowExists(event.id)).toBe(false);
    expect(await h.db.stripeEvent.findUnique({ where: { id: event.id } })).toBeNull();
    const metrics = await webhookMetrics.registry.metrics();
    expect(metrics).toMatch(new RegExp(`^stripe_webhook_ignored_total\\{reason="${reason}"\\} [1-9]`, 'm'));
  });

  it('a live event of an allowed connected account is fulfilled', async () => {
    const event = { ...checkoutEvent({ account: 'acct_test_partner', metadata: sumoMetadata() }), livemode: true };
    expect((await deliver(event)).json()).toMatchObject({ workflowId: event.id, duplicate: false });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });
  });
});
