import { ApplicationFailure, heartbeat, log, metricMeter } from '@temporalio/activity';
import Stripe from 'stripe';
import { FailureType, type ReconcileInput, type ReconcileReport } from '../../src/contracts';
import { reconcileStripeEvents } from '../../src/ingest/reconcile';
import type { ActivityDeps } from '../deps';

/**
 * Starts a workflow for every handled Stripe event of the lookback window that has none.
 * A failure is an alert, not a log line: every failed attempt counts in the worker's
 * `stripe_reconcile_failures` metric (by reason), and a key Stripe refuses (no Events read, or
 * revoked) fails the run at once — no retry can fix a permission — with ReconcileNotPermitted.
 */
export function createReconcileEvents({
  db,
  stripe,
  fulfillments,
  stripeConnectAccounts,
}: Pick<ActivityDeps, 'db' | 'stripe' | 'fulfillments' | 'stripeConnectAccounts'>) {
  return async function reconcileEvents({ lookbackMs }: ReconcileInput): Promise<ReconcileReport> {
    heartbeat();
    const failures = metricMeter.createCounter('stripe_reconcile_failures', '1', 'Failed reconciliation attempts, by reason');
    let report: ReconcileReport;
    try {
      report = await reconcileStripeEvents(stripe, { db, fulfillments }, new Date(Date.now() - lookbackMs), stripeConnectAccounts);
    } catch (err) {
      if (err instanceof Stripe.errors.StripePermissionError || err instanceof Stripe.errors.StripeAuthenticationError) {
        failures.add(1, { reason: 'not_permitted' });
        throw ApplicationFailure.nonRetryable(
          `Stripe refused to list events (${err.message}); reconciliation needs a key with Events: read (and Checkout Sessions: read), see docs/configuration.md`,
          FailureType.ReconcileNotPermitted,
        );
      }
      failures.add(1, { reason: 'stripe_unavailable' });
      throw err;
    }
    const summary = { listed: report.listed, started: report.started.length, duplicate: report.duplicate, failed: report.failed.length };
    if (report.started.length > 0)
      log.warn('reconciliation started events the webhook never delivered', { ...summary, eventIds: report.started });
    else log.info('reconciliation found nothing missing', summary);
    if (report.failed.length > 0) {
      failures.add(1, { reason: 'start_failed' });
      throw new Error(
        `could not start ${report.failed.length} event(s): ${report.failed.map((f) => `${f.eventId}: ${f.error}`).join('; ')}`,
      );
    }
    return report;
  };
}
