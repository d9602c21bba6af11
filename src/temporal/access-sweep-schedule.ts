import type { Client, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';
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
export async function ensureAccessSweepSchedule(client: Client, settings: AccessSweepSettings): Promise<ScheduleOutcome> {
  const action: ScheduleOptionsStartWorkflowAction<(input: AccessSweepInput) => Promise<AccessSweepReport>> = {
    type: 'startWorkflow',
    workflowType: WorkflowType.sweepAccessEvents,
    taskQueue: settings.taskQueue,
    args: [{ olderThanMs: SWEEP_OLDER_THAN_MS }],
    workflowId: ACCESS_SWEEP_SCHEDULE_ID,
    staticSummary: 'Wake the delivery of access events no run has taken',
  };
  return ensureIntervalSchedule(client, {
    scheduleId: ACCESS_SWEEP_SCHEDULE_ID,
    everyMs: settings.everyMs,
    catchupWindow: '1 minute',
    action,
  });
}
