import type { Client, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';
import { WorkflowType, type ReconcileWorkflow } from '../contracts';

export const RECONCILE_SCHEDULE_ID = 'stripe-reconcile';

export interface ReconcileScheduleSettings {
  taskQueue: string;
  /** Interval between runs; null removes the schedule. */
  everyMs: number | null;
  lookbackMs: number;
}

/**
 * Makes the `stripe-reconcile` Schedule match the settings: created if missing, updated if
 * its interval, lookback or task queue differ, deleted when reconciliation is turned off.
 * Every worker calls this at start; concurrent calls converge on the same schedule.
 */
export async function ensureReconcileSchedule(client: Client, settings: ReconcileScheduleSettings): Promise<ScheduleOutcome> {
  const action: ScheduleOptionsStartWorkflowAction<ReconcileWorkflow> = {
    type: 'startWorkflow',
    workflowType: WorkflowType.reconcileStripeEvents,
    taskQueue: settings.taskQueue,
    args: [{ lookbackMs: settings.lookbackMs }],
    workflowId: 'stripe-reconcile',
    staticSummary: `Reconcile Stripe events of the last ${Math.round(settings.lookbackMs / 3_600_000)} h`,
  };
  return ensureIntervalSchedule(client, {
    scheduleId: RECONCILE_SCHEDULE_ID,
    everyMs: settings.everyMs,
    catchupWindow: '1 hour',
    action,
    sameArgs: (current) =>
      current.type === 'startWorkflow' && (current.args?.[0] as { lookbackMs?: number } | undefined)?.lookbackMs === settings.lookbackMs,
  });
}
