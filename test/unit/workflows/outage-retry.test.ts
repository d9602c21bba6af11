import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { cancelUpdate, FailureType, retryUpdate, searchAttributes, statusQuery } from '../../../src/contracts';
import { eventually } from '../../support/eventually';
import { badData, fakeActivities, fulfillmentInput, outage } from '../../support/workflow-inputs';
import { useWorkflowTestEnv } from '../../support/workflow-test-env';

/**
 * An outage longer than a round of attempts does not hand the run to an operator: it says
 * Retrying and goes on by itself until RETRY_WINDOW ends. Every duration comes in the run's
 * policy, so the 15 s pauses and the hours of window take milliseconds here.
 */
const env = useWorkflowTestEnv();
const RIDING = { retryWindowMs: 3_600_000, firstPauseMs: 100, maxPauseMs: 200 };

/** Activities whose provisionAccess fails like a database that is down, until `heal()`. */
function withDatabaseOutage() {
  const db = outage();
  const fake = fakeActivities({
    findOrCreateUser: async () => ({ userId: 'user-1', created: false }),
    provisionAccess: db.wrap(async () => ({ granted: ['crm'], alreadyHeld: [], seatLimit: 3, hasAccess: true, reviewAt: null })),
  });
  return { ...fake, db };
}

const metadataDetails = async (eventId: string) =>
  (await env().client.workflow.getHandle(eventId).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;

describe('a step in an outage', () => {
  it('shows Retrying with its step and last error, needs no operator, and completes once the database is back', async () => {
    const fake = withDatabaseOutage();
    const i = fulfillmentInput({ policy: RIDING });
    const seen = await env().withWorker(fake.activities, async (tq) => {
      const handle = await env().startCheckout(tq, i);
      const retrying = await env().statusWhen(i.eventId, (s) => s.status === 'Retrying');
      const described = await eventually(
        () => handle.describe(),
        (d) => d.searchAttributes.FulfillmentStatus?.[0] === 'Retrying',
        { timeoutMs: 10_000 },
      );
      const details = await metadataDetails(i.eventId);
      fake.db.heal();
      const result = await handle.result();
      return { result, retrying, described, details, final: await handle.query(statusQuery), closed: await handle.describe() };
    });

    expect(seen.retrying.attention).toBeNull();
    expect(seen.retrying.retrying).toMatchObject({
      step: 'provisionAccess',
      errorType: FailureType.Outage,
      error: "Can't reach database server at 127.0.0.1:5432",
    });
    expect(Date.parse(seen.retrying.retrying!.until) - Date.parse(seen.retrying.retrying!.since)).toBe(3_600_000);
    expect(seen.described.searchAttributes.FulfillmentStatus).toEqual(['Retrying']);
    expect(seen.details).toMatch(/\*\*Retrying\*\* step `provisionAccess` through an outage .*Can't reach database server/);
    expect(seen.result).toMatchObject({ plan: 'sumo-growth', seatLimit: 3 });
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
    expect(fake.db.calls).toBeGreaterThanOrEqual(3); // a round of 2 attempts, then at least one more
    expect(seen.final).toMatchObject({ status: 'Completed', retrying: null, audit: [] });
    // Back to normal, the run clears the attribute: closed, it reads neither Retrying nor Running.
    expect(seen.closed.typedSearchAttributes.get(searchAttributes.FulfillmentStatus)).toBeUndefined();
  });

  it('asks an operator only once the retry window has run out, saying for how long it retried', async () => {
    const fake = withDatabaseOutage();
    const i = fulfillmentInput({ policy: { ...RIDING, retryWindowMs: 1_500 } });
    const state = await env().withWorker(fake.activities, async (tq) => {
      await env().startCheckout(tq, i);
      await env().statusWhen(i.eventId, (s) => s.status === 'Retrying');
      return env().statusWhen(i.eventId, (s) => s.attention !== null);
    });
    expect(state.status).toBe('NeedsAttention');
    expect(state.retrying).toBeNull();
    expect(state.attention).toMatchObject({ step: 'provisionAccess', errorType: FailureType.RetriesExhausted });
    expect(state.attention!.error).toMatch(/^still failing after \d+ s of retries \(RETRY_WINDOW 2 s\): Can't reach database server/);
    await env().client.workflow.getHandle(i.eventId).terminate('test over');
  });

  it('counts an attempt that hangs past its timeout like any failure: the run shows Retrying, then completes', async () => {
    let hang = true;
    const fake = fakeActivities({
      findOrCreateUser: async () => ({ userId: 'user-1', created: false }),
      resolvePurchase: async () => {
        // A Stripe that swallows the request: the attempt hangs until the worker gives up on it.
        if (hang) await new Promise<void>((resolve) => Context.current().cancellationSignal.addEventListener('abort', () => resolve()));
        return { tierId: 'sumo_tier_2', plan: 'sumo-growth', quantity: 1, seatLimit: 3, addons: [], features: ['crm'] };
      },
    });
    const i = fulfillmentInput({ policy: { ...RIDING, attemptTimeoutMs: 300 } });
    const { retrying, result } = await env().withWorker(fake.activities, async (tq) => {
      const handle = await env().startCheckout(tq, i);
      const retrying = await env().statusWhen(i.eventId, (s) => s.status === 'Retrying');
      hang = false;
      return { retrying, result: await handle.result() };
    });
    expect(retrying.retrying).toMatchObject({ step: 'resolvePurchase', errorType: FailureType.Outage });
    expect(retrying.retrying!.error).toMatch(/timed out \(START_TO_CLOSE\)/);
    expect(retrying.steps[0]).toMatchObject({ name: 'resolvePurchase', attempts: 2 });
    expect(result.plan).toBe('sumo-growth');
  });

  it('cancels an attempt that hangs past its timeout instead of leaving it running', async () => {
    let attempts = 0;
    let cancelled = 0;
    const fake = fakeActivities({
      findOrCreateUser: async () => ({ userId: 'user-1', created: false }),
      resolvePurchase: async () => {
        if (++attempts === 1) {
          // A Stripe that swallows the request: the attempt waits until it is told to stop.
          await new Promise<void>((resolve) => Context.current().cancellationSignal.addEventListener('abort', () => resolve()));
          cancelled++;
          throw new Error('cancelled');
        }
        return { tierId: 'sumo_tier_2', plan: 'sumo-growth', quantity: 1, seatLimit: 3, addons: [], features: ['crm'] };
      },
    });
    const i = fulfillmentInput({ policy: { ...RIDING, attemptTimeoutMs: 500, attemptsPerRound: 3 } });
    const result = await env().withWorker(fake.activities, async (tq) => (await env().startCheckout(tq, i)).result());
    expect(result.plan).toBe('sumo-growth');
    expect(cancelled).toBe(1);
  });

  it('stops saying Retrying when a failure that needs a decision follows the outage', async () => {
    let calls = 0;
    const fake = fakeActivities({
      resolvePurchase: async () => {
        if (++calls <= 2) throw new Error('Stripe API unavailable (HTTP 503)');
        throw badData('sumo_quantity must be a whole number ≥ 1');
      },
    });
    const i = fulfillmentInput({ policy: RIDING });
    const { state, described } = await env().withWorker(fake.activities, async (tq) => {
      const handle = await env().startCheckout(tq, i);
      const state = await env().statusWhen(i.eventId, (s) => s.attention !== null);
      return { state, described: await handle.describe() };
    });
    expect(state).toMatchObject({ status: 'NeedsAttention', retrying: null });
    expect(state.attention).toMatchObject({ step: 'resolvePurchase', errorType: FailureType.InvalidPurchaseData });
    expect(described.searchAttributes.FulfillmentStatus).toEqual(['NeedsAttention']);
    await env().client.workflow.getHandle(i.eventId).terminate('test over');
  });

  it('can be cancelled by an operator while it retries: the attempt in flight stops and the run fails as cancelled', async () => {
    const fake = withDatabaseOutage();
    const i = fulfillmentInput({ policy: { ...RIDING, firstPauseMs: 60_000, maxPauseMs: 60_000 } });
    const failure = await env().withWorker(fake.activities, async (tq) => {
      const handle = await env().startCheckout(tq, i);
      await env().statusWhen(i.eventId, (s) => s.status === 'Retrying');
      await expect(handle.executeUpdate(retryUpdate, { args: [{ by: 'oncall', reason: 'now' }] })).rejects.toMatchObject({
        cause: { type: FailureType.OperatorRequestRefused, message: expect.stringMatching(/is retrying by itself/) },
      });
      await expect(handle.executeUpdate(cancelUpdate, { args: [{ by: 'oncall', reason: 'customer refunded' }] })).resolves.toMatchObject({
        action: 'cancel',
        step: 'provisionAccess',
        applied: true,
      });
      return env().failureOf(handle);
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      type: FailureType.CancelledByOperator,
      message: expect.stringMatching(/^cancelled by oncall at step provisionAccess while retrying: customer refunded/),
    });
    expect(fake.outcomes).toEqual([{ status: 'cancelled', error: expect.stringContaining('customer refunded') }]);
    const closed = await env().client.workflow.getHandle(i.eventId).describe();
    expect(closed.searchAttributes.FulfillmentStatus).toEqual(['Failed']);
  });
});
