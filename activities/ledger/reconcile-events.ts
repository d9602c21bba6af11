import { heartbeat, log } from '@temporalio/activity';
import type { ReconcileInput, ReconcileReport } from '../../src/contracts';
import { reconcileStripeEvents } from '../../src/ingest/reconcile';
import type { ActivityDeps } from '../deps';

/** Starts a workflow for every handled Stripe event of the lookback window that has none. */
export function createReconcileEvents({
  db,
  stripe,
  fulfillments,
  stripeConnectAccounts,
}: Pick<ActivityDeps, 'db' | 'stripe' | 'fulfillments' | 'stripeConnectAccounts'>) {
  return async function reconcileEvents({ lookbackMs }: ReconcileInput): Promise<ReconcileReport> {
    heartbeat();
    const report = await reconcileStripeEvents(stripe, { db, fulfillments }, new Date(Date.now() - lookbackMs), stripeConnectAccounts);
    const summary = { listed: report.listed, started: report.started.length, duplicate: report.duplicate, failed: report.failed.length };
    if (report.started.length > 0)
      log.warn('reconciliation started events the webhook never delivered', { ...summary, eventIds: report.started });
    else log.info('reconciliation found nothing missing', summary);
    if (report.failed.length > 0)
      throw new Error(
        `could not start ${report.failed.length} event(s): ${report.failed.map((f) => `${f.eventId}: ${f.error}`).join('; ')}`,
      );
    return report;
  };
}
