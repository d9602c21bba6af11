import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built workflow bundle (tests bundle once); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker that runs fulfillment workflows and their activities. */
export function buildWorker({ connection, namespace, taskQueue, deps, workflowBundle }: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
  });
}
