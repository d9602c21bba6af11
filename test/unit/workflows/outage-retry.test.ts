import {
  FailureType,
  statusQuery,
  WorkflowType,
  type FulfillmentInput,
  type FulfillmentState,
  type FulfillmentSummary,
} from '../../../src/contracts';
import type { Activities } from '../../../workflows/activity-calls';
import { eventually } from '../../support/eventually';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../../support/workflow-test-env';

/**
 * Issue 19.1: an outage longer than a round of attempts used to hand every run in flight to an
 * operator (RetriesExhausted → NeedsAttention, one `ops retry` each). Now the run says Retrying and
 * goes on by itself until RETRY_WINDOW ends.
 */
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
}, 90_000);
afterAll(() => env?.close());

let sequence = 0;
function input(): FulfillmentInput {
  sequence++;
  return {
    eventId: `evt_outage_${Date.now()}_${sequence}`,
    eventType: 'checkout.session.completed',
    created: 1_700_000_000,
    account: null,
    livemode: false,
    checkoutSessionId: `cs_outage_${sequence}`,
    mode: 'subscription',
    paymentIntentId: null,
    amountTotal: 4900,
    currency: 'usd',
    source: 'sumo',
    email: 'buyer@example.com',
    name: 'Ada',
    stripeCustomerId: 'cus_unit',
    subscriptionId: `sub_outage_${sequence}`,
    clientReferenceId: null,
    tierId: 'sumo_tier_2',
    rawQuantity: '1',
    rawAddons: null,
    sumo: { campaignId: 'camp_unit', productId: null, userId: null },
  };
}

/** Activities whose provisionAccess fails like a database that is down, until `heal()`. */
function withDatabaseOutage() {
  let down = true;
  let provisionCalls = 0;
  const outcomes: string[] = [];
  const activities: Partial<Activities> = {
    resolvePurchase: async () => ({ tierId: 'sumo_tier_2', plan: 'sumo-growth', quantity: 1, seatLimit: 3, addons: [], features: ['crm'] }),
    findOrCreateUser: async () => ({ userId: 'user-1', created: false }),
    linkSubscription: async ({ input: i }) => ({ subscriptionRowId: 'row-1', stripeSubscriptionId: i.subscriptionId! }),
    provisionAccess: async () => {
      provisionCalls++;
      if (down) throw new Error("Can't reach database server at 127.0.0.1:5432");
      return { granted: ['crm'], alreadyHeld: [], seatLimit: 3, hasAccess: true, reviewAt: null };
    },
    sendPurchaseConfirmation: async ({ eventId }) => ({ messageId: 'msg-confirmation', sentNow: true, sentBy: eventId }),
    recordOutcome: async ({ status }) => void outcomes.push(status),
    recordOperatorAction: async () => {},
  };
  return { activities, outcomes, heal: () => (down = false), calls: () => provisionCalls };
}

const start = (taskQueue: string, i: FulfillmentInput) =>
  env.client.workflow.start<(i: FulfillmentInput) => Promise<FulfillmentSummary>>(WorkflowType.fulfillCheckout, {
    taskQueue,
    workflowId: i.eventId,
    args: [i],
  });

const stateOf = (eventId: string, until: (s: FulfillmentState) => boolean, timeoutMs = 20_000) =>
  eventually(() => env.client.workflow.getHandle(eventId).query(statusQuery), until, { timeoutMs });

describe('a step in an outage', () => {
  it('shows Retrying with its step and last error, needs no operator, and completes once the database is back', async () => {
    const outage = withDatabaseOutage();
    const i = input();
    const { result, retrying, described, details, final } = await env.withWorker(
      outage.activities,
      async (tq) => {
        const handle = await start(tq, i);
        const retrying = await stateOf(i.eventId, (s) => s.status === 'Retrying');
        const described = await eventually(
          () => handle.describe(),
          (d) => d.searchAttributes.FulfillmentStatus?.[0] === 'Retrying',
          { timeoutMs: 10_000 },
        );
        const details = (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
        outage.heal();
        const result = await handle.result();
        return { result, retrying, described, details, final: await handle.query(statusQuery) };
      },
      2,
      3_600_000,
    );

    expect(retrying.attention).toBeNull();
    expect(retrying.retrying).toMatchObject({
      step: 'provisionAccess',
      errorType: FailureType.Outage,
      error: "Can't reach database server at 127.0.0.1:5432",
      rounds: 1,
    });
    expect(Date.parse(retrying.retrying!.until) - Date.parse(retrying.retrying!.since)).toBe(3_600_000);
    expect(described.searchAttributes.FulfillmentStatus).toEqual(['Retrying']);
    expect(details).toMatch(/\*\*Retrying\*\* step `provisionAccess` through an outage .*Can't reach database server/);
    expect(result).toMatchObject({ plan: 'sumo-growth', seatLimit: 3 });
    expect(outage.outcomes).toEqual(['completed']);
    expect(outage.calls()).toBeGreaterThanOrEqual(3); // a round of 2 attempts, then at least one more
    expect(final).toMatchObject({ status: 'Completed', retrying: null, audit: [] });
  }, 60_000);

  it('asks an operator only once the retry window has run out, saying for how long it retried', async () => {
    const outage = withDatabaseOutage();
    const i = input();
    const state = await env.withWorker(
      outage.activities,
      async (tq) => {
        await start(tq, i);
        await stateOf(i.eventId, (s) => s.status === 'Retrying');
        const waiting = await stateOf(i.eventId, (s) => s.attention !== null);
        await env.client.workflow.getHandle(i.eventId).terminate('test over');
        return waiting;
      },
      2,
      3_000,
    );
    expect(state.status).toBe('NeedsAttention');
    expect(state.retrying).toBeNull();
    expect(state.attention).toMatchObject({ step: 'provisionAccess', errorType: FailureType.RetriesExhausted });
    expect(state.attention!.error).toMatch(/^still failing after \d+ s of retries \(RETRY_WINDOW 3 s\): Can't reach database server/);
  }, 60_000);
});
