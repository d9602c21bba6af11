import { activityInfo, ApplicationFailure, heartbeat, log, metricMeter } from '@temporalio/activity';
import Stripe from 'stripe';
import { FailureType, type ReconcileCursor, type ReconcileInput, type ReconcileReport } from '../../src/contracts';
import { eventGenerationFailures, reconcileStripeEvents } from '../../src/ingest/reconcile';
import type { ActivityDeps } from '../deps';

/**
 * Starts a workflow for every handled Stripe event of the lookback window that never ran, one page
 * of Stripe's listing at a time. The cursor is heartbeated after every page, so a retried attempt
 * (a worker restart, a Stripe error) resumes where the last one stopped, with the same window and
 * the report so far. Then reports Stripe's event-generation failures of the window (events that
 * were never generated) in the log, the report and the `stripe_event_generation_failures` counter.
 *
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
    const failures = metricMeter.createCounter('stripe_reconcile_failures', '1', 'Failed reconciliation attempts, by reason');
    const resume = (activityInfo().heartbeatDetails as ReconcileCursor | undefined) ?? null;
    const since = resume ? new Date(resume.report.since) : new Date(Date.now() - lookbackMs);
    if (resume)
      log.info('reconciliation resumes where its last attempt stopped', { account: resume.account, listed: resume.report.listed });
    heartbeat(resume);
    let report: ReconcileReport;
    try {
      report = await reconcileStripeEvents(stripe, { db, fulfillments }, since, stripeConnectAccounts, {
        resume,
        onPage: (cursor) => heartbeat(cursor),
        onEvent: (cursor) => heartbeat(cursor),
      });
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
    report.generationFailures = await eventGenerationFailures(stripe, since);

    const started = report.startedCount ?? report.started.length;
    const summary = { listed: report.listed, started, duplicate: report.duplicate, failed: report.failed.length };
    if (started > 0) log.warn('reconciliation started events the webhook never delivered', { ...summary, eventIds: report.started });
    else log.info('reconciliation found nothing missing', summary);
    if (report.generationFailures === null) log.warn("reconciliation could not read Stripe's event generation failures (v2 Events API)");
    for (const failure of report.generationFailures ?? []) {
      metricMeter
        .createCounter(
          'stripe_event_generation_failures',
          'events',
          'Events Stripe reports it never generated (v2.core.health.event_generation_failure.resolved)',
        )
        .add(1, { event_type: failure.eventType });
      log.error('Stripe never generated an event: look at the related object and fulfil it by hand if needed', {
        alertId: failure.alertId,
        eventType: failure.eventType,
        relatedObject: failure.relatedObject,
        context: failure.context,
      });
    }
    if (report.failed.length > 0) {
      failures.add(1, { reason: 'start_failed' });
      throw new Error(
        `could not start ${report.failed.length} event(s): ${report.failed.map((f) => `${f.eventId}: ${f.error}`).join('; ')}`,
      );
    }
    return report;
  };
}
