import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from './activity-calls';
import type { ReconcileInput, ReconcileReport } from '../src/contracts';

const { reconcileEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * Run by the `stripe-reconcile` Schedule: catches Stripe events whose webhook never
 * arrived (outage, misconfigured endpoint) by listing them from Stripe's Events API and
 * starting each one that has no workflow (workflow id = event id makes repeats harmless).
 */
export async function reconcileStripeEvents({ lookbackMs }: ReconcileInput): Promise<ReconcileReport> {
  return reconcileEvents({ lookbackMs });
}
