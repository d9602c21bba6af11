import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type Workflow,
} from '@temporalio/client';

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent';

/**
 * Makes a Schedule that starts `action` every `everyMs` match the settings: created if missing,
 * updated if its interval, task queue or `sameArgs` differ, deleted when `everyMs` is null (the
 * feature is off). Every worker calls it at start; concurrent calls converge on the same schedule.
 */
export async function ensureIntervalSchedule<W extends Workflow>(
  client: Client,
  settings: {
    scheduleId: string;
    everyMs: number | null;
    catchupWindow: '1 minute' | '1 hour';
    action: ScheduleOptionsStartWorkflowAction<W>;
    /** Whether the existing schedule's action already has the wanted arguments (default: yes). */
    sameArgs?: (current: ScheduleDescription['action']) => boolean;
  },
): Promise<ScheduleOutcome> {
  const handle = client.schedule.getHandle(settings.scheduleId);
  if (settings.everyMs === null) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'absent';
      throw err;
    }
  }
  const { action } = settings;
  const spec = { intervals: [{ every: settings.everyMs }] };
  try {
    await client.schedule.create({
      scheduleId: settings.scheduleId,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: settings.catchupWindow },
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
    current.action.taskQueue === action.taskQueue &&
    (settings.sameArgs?.(current.action) ?? true);
  if (same) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
