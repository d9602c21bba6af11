import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { attemptLimit } from './attempt-limit';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  /** Attempts before an activity's outage is handed to an operator (ACTIVITY_MAX_ATTEMPTS). */
  maxActivityAttempts: number;
}

/** The worker that runs the fulfillment workflows and their activities. */
export function buildWorker({ connection, namespace, taskQueue, deps, workflowBundle, maxActivityAttempts }: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    interceptors: { activity: [attemptLimit(maxActivityAttempts)] },
    workflowBundle,
  });
}
