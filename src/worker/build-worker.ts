import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { attemptLimit } from './attempt-limit';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built workflow bundle (tests bundle once); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Attempts before an activity's outage is handed to an operator (default 10 ≈ 4 min of backoff). */
  maxActivityAttempts?: number;
}

/** The worker that runs fulfillment workflows and their activities. */
export function buildWorker({ connection, namespace, taskQueue, deps, workflowBundle, maxActivityAttempts = 10 }: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    interceptors: { activity: [attemptLimit(maxActivityAttempts)] },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
  });
}
