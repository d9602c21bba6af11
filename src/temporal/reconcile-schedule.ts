import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
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
export async function ensureReconcileSchedule(
  client: Client,
  settings: ReconcileScheduleSettings,
): Promise<'created' | 'updated' | 'unchanged' | 'deleted' | 'absent'> {
  const handle = client.schedule.getHandle(RECONCILE_SCHEDULE_ID);
  if (settings.everyMs === null) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'absent';
      throw err;
    }
  }
  const action: ScheduleOptionsStartWorkflowAction<ReconcileWorkflow> = {
    type: 'startWorkflow',
    workflowType: WorkflowType.reconcileStripeEvents,
    taskQueue: settings.taskQueue,
    args: [{ lookbackMs: settings.lookbackMs }],
    workflowId: 'stripe-reconcile',
    staticSummary: `Reconcile Stripe events of the last ${Math.round(settings.lookbackMs / 3_600_000)} h`,
  };
  const spec = { intervals: [{ every: settings.everyMs }] };
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const current = await handle.describe();
  const currentEvery = current.spec.intervals?.[0]?.every;
  const currentArgs =
    current.action.type === 'startWorkflow' ? (current.action.args?.[0] as { lookbackMs?: number } | undefined) : undefined;
  const same =
    current.spec.intervals?.length === 1 &&
    Number(currentEvery) === settings.everyMs &&
    current.action.type === 'startWorkflow' &&
    current.action.taskQueue === settings.taskQueue &&
    currentArgs?.lookbackMs === settings.lookbackMs;
  if (same) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
