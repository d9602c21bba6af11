import { WorkflowFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { FailureType, retryUpdate } from '../../../src/contracts';
import { badData, fakeActivities, fulfillmentInput, PURCHASE } from '../../support/workflow-inputs';
import { useWorkflowTestEnv } from '../../support/workflow-test-env';

/**
 * A step that needs a decision waits for an operator for ATTENTION_WAIT (30 days by default; here
 * the run's policy makes it milliseconds), then the run fails for good.
 */
const env = useWorkflowTestEnv();

describe('the wait for an operator', () => {
  it('fails the run as AttentionTimedOut when nobody answers in time, marking the event failed', async () => {
    const fake = fakeActivities({
      resolvePurchase: async () => Promise.reject(badData('unknown tier sumo_tier_9', FailureType.UnknownTier)),
    });
    const i = fulfillmentInput({ policy: { attentionWaitMs: 800 } });
    const failure = await env().withWorker(fake.activities, async (tq) => env().failureOf(await env().startCheckout(tq, i)));
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      type: FailureType.AttentionTimedOut,
      message: 'no operator acted within 800 ms at step resolvePurchase (last error: unknown tier sumo_tier_9)',
    });
    expect(fake.outcomes).toEqual([{ status: 'failed', error: expect.stringContaining('no operator acted within') }]);
    // A closed run no longer matches NeedsAttention.
    const closed = await env().client.workflow.getHandle(i.eventId).describe();
    expect(closed.searchAttributes.FulfillmentStatus).toEqual(['Failed']);
  });

  it('applies an answer accepted just before the wait runs out instead of abandoning it', async () => {
    let fixed = false;
    const fake = fakeActivities({
      resolvePurchase: async () => {
        if (!fixed) throw badData('unknown tier', FailureType.UnknownTier);
        return PURCHASE;
      },
    });
    const record = fake.activities.recordOperatorAction!;
    fake.activities.recordOperatorAction = async (input) => {
      await new Promise((r) => setTimeout(r, 2_000)); // the audit is written while the wait runs out
      return record(input);
    };
    const i = fulfillmentInput({ policy: { attentionWaitMs: 1_500 } });
    const result = await env().withWorker(fake.activities, async (tq) => {
      const handle = await env().startCheckout(tq, i);
      await env().statusWhen(i.eventId, (s) => s.attention !== null);
      fixed = true;
      const update = await handle.startUpdate(retryUpdate, {
        args: [{ by: 'oncall', reason: 'tier added' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      await expect(update.result()).resolves.toMatchObject({ action: 'retry', applied: true });
      return handle.result();
    });
    expect(result.plan).toBe('sumo-growth');
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
  });
});
