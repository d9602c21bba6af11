import { WORKER_METRICS_PORT } from '../../support/metrics-runtime';
import { WorkflowFailedError } from '@temporalio/client';
import { FailureType } from '../../../src/contracts';
import { eventually } from '../../support/eventually';
import { startHarness, type Harness } from '../../support/harness';
import { startLocalStripeEvents, type LocalStripeEvents } from '../../support/local-stripe-events';

/**
 * Reconciliation that cannot list Stripe's events (a restricted key without Events read) must be
 * noticed: the run fails at once with a failure that says what the key lacks, and the worker counts
 * it in a metric an alert can watch — not an hourly log line nobody reads.
 */
let h: Harness;
let stripeApi: LocalStripeEvents;
beforeAll(async () => {
  stripeApi = await startLocalStripeEvents();
  h = await startHarness({ stripeApiBase: stripeApi.url });
});
afterAll(async () => {
  await h.close();
  await stripeApi.close();
});

describe('reconciliation without permission to list events (issue 20.10)', () => {
  it('fails its run at once, naming the permission, and counts the failure in stripe_reconcile_failures', async () => {
    stripeApi.denyEvents();
    const run = h.client.workflow.execute('reconcileStripeEvents', {
      taskQueue: h.taskQueue,
      workflowId: `reconcile-denied-${Date.now()}`,
      args: [{ lookbackMs: 3_600_000 }],
      workflowExecutionTimeout: '20 seconds',
    });
    const failure = await run.then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause as { type?: string; message: string } | undefined;
    expect(cause?.type).toBe(FailureType.ReconcileNotPermitted);
    expect(cause?.message).toMatch(/Events.*read/i);

    const text = await eventually(
      async () => (await fetch(`http://127.0.0.1:${WORKER_METRICS_PORT}/metrics`)).text(),
      (t) => /^stripe_reconcile_failures\{[^}]*reason="not_permitted"[^}]*\} [1-9]/m.test(t),
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(text).toMatch(/^stripe_reconcile_failures\{[^}]*reason="not_permitted"/m);
  });
});
