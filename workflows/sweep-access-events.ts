import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from './activity-calls';
import type { AccessSweepInput, AccessSweepReport } from '../src/contracts';

const { startPendingDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * Run by the `access-events-sweep` Schedule (every APP_WEBHOOK_SWEEP_EVERY while access events are
 * on): a delivery run for every user whose events wait with none running, so an event whose wake
 * failed after its commit is still delivered.
 */
export async function sweepAccessEvents(input: AccessSweepInput): Promise<AccessSweepReport> {
  return startPendingDeliveries(input);
}
