import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { WorkflowType, type AccessSweepInput, type AccessSweepReport } from '../contracts';

export const ACCESS_SWEEP_SCHEDULE_ID = 'access-events-sweep';

/** An event younger than this was just woken by its own change; the sweep leaves it to that run. */
export const SWEEP_OLDER_THAN_MS = 30_000;

export interface AccessSweepSettings {
  taskQueue: string;
  /** Interval between sweeps; null (APP_WEBHOOK_URL unset) removes the schedule. */
  everyMs: number | null;
}

/**
 * Makes the `access-events-sweep` Schedule match the settings, as the reconcile Schedule is kept
 * (src/temporal/reconcile-schedule.ts): created if missing, updated if its interval or task queue
 * differ, deleted when access events are off. Every worker calls it at start.
 */
export async function ensureAccessSweepSchedule(
  client: Client,
  settings: AccessSweepSettings,
): Promise<'created' | 'updated' | 'unchanged' | 'deleted' | 'absent'> {
  const handle = client.schedule.getHandle(ACCESS_SWEEP_SCHEDULE_ID);
  if (settings.everyMs === null) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'absent';
      throw err;
    }
  }
  const action: ScheduleOptionsStartWorkflowAction<(input: AccessSweepInput) => Promise<AccessSweepReport>> = {
    type: 'startWorkflow',
    workflowType: WorkflowType.sweepAccessEvents,
    taskQueue: settings.taskQueue,
    args: [{ olderThanMs: SWEEP_OLDER_THAN_MS }],
    workflowId: ACCESS_SWEEP_SCHEDULE_ID,
    staticSummary: 'Wake the delivery of access events no run has taken',
  };
  const spec = { intervals: [{ every: settings.everyMs }] };
  try {
    await client.schedule.create({
      scheduleId: ACCESS_SWEEP_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const current = await handle.describe();
  const same =
    current.spec.intervals?.length === 1 &&
    Number(current.spec.intervals[0]?.every) === settings.everyMs &&
    current.action.type === 'startWorkflow' &&
    current.action.taskQueue === settings.taskQueue;
  if (same) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
