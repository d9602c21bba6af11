import type { WorkerOptions } from '@temporalio/worker';

export interface SlotLimits {
  /** Activity tasks at once (WORKER_MAX_CONCURRENT_ACTIVITIES). */
  activities: number;
  /** Local activities, i.e. fulfilment steps, at once (WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES). */
  localActivities: number;
  /** The host CPU use to stay under (WORKER_CPU_TARGET); absent: fixed slots. */
  cpuTarget?: number;
}

/** Workflow tasks one worker holds at once under the tuner: the SDK's fixed default. */
const WORKFLOW_TASK_SLOTS = 40;

/**
 * How many tasks the worker takes at once. Fixed slots by default; with a CPU target, the SDK's
 * resource-based tuner, which hands out a slot only while the host's CPU use is under the target
 * (at least the minimum), never more than the same maxima: the pool bound (src/config.ts) holds
 * either way. The memory target is the SDK's example value; the worker's memory is not what
 * limits it.
 */
export function slotOptions({
  activities,
  localActivities,
  cpuTarget,
}: SlotLimits): Pick<WorkerOptions, 'tuner' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions'> {
  if (cpuTarget === undefined) {
    return { maxConcurrentActivityTaskExecutions: activities, maxConcurrentLocalActivityExecutions: localActivities };
  }
  return {
    tuner: {
      tunerOptions: { targetCpuUsage: cpuTarget, targetMemoryUsage: 0.9 },
      workflowTaskSlotOptions: { minimumSlots: 2, maximumSlots: WORKFLOW_TASK_SLOTS },
      activityTaskSlotOptions: { minimumSlots: 1, maximumSlots: activities },
      localActivityTaskSlotOptions: { minimumSlots: 1, maximumSlots: localActivities },
    },
  };
}
