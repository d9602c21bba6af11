import { WORKER_METRICS_PORT } from '../../support/metrics-runtime';
import { WorkflowFailedError } from '@temporalio/client';
import { FailureType } from '../../../src/contracts';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';

/**
 * Reconciliation that cannot list Stripe's events (a restricted key without Events read) must be
 * noticed: the run fails at once with a failure that says what the key lacks, and the worker counts
 * it in a metric an alert can watch — not an hourly log line nobody reads.
 */
const stripeApi = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripeApi.url }));

describe('reconciliation without permission to list events', () => {
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
