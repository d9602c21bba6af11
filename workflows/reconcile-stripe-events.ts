import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from './activity-calls';
import type { ReconcileInput, ReconcileReport } from '../src/contracts';

/**
 * A pass pages through Stripe's listing (a launch's 72 h can hold tens of thousands of events)
 * and heartbeats its cursor after every page, so an attempt is bounded by its heartbeat, not by a
 * guess at the whole pass: a dead worker's attempt is retried within a minute, from the cursor.
 */
const { reconcileEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * Run by the `stripe-reconcile` Schedule: catches Stripe events whose webhook never
 * arrived (outage, misconfigured endpoint) by listing them from Stripe's Events API and
 * starting each one that never ran (workflow id = event id makes repeats harmless).
 */
export async function reconcileStripeEvents({ lookbackMs }: ReconcileInput): Promise<ReconcileReport> {
  return reconcileEvents({ lookbackMs });
}
