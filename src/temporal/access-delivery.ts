import type { Client } from '@temporalio/client';
import {
  accessDeliveryWorkflowId,
  accessWakeSignal,
  DEFAULT_STEP_POLICY,
  WorkflowType,
  type AccessDeliveryInput,
  type StepPolicy,
} from '../contracts';

/** Starts or wakes a user's delivery run of access events (`deliverAccessEvents`). */
export interface AccessDeliveryStarter {
  /**
   * Signal-with-start: a running delivery of this user's events looks again for new ones; without
   * one, a run starts. Call it after the change is committed. A failure loses nothing: the event
   * stays pending and the `access-events-sweep` Schedule wakes its user.
   */
  wake(userId: string): Promise<void>;
  /**
   * Starts the user's delivery run unless one is running (then nothing is added to its history):
   * the sweep's way, which visits users whose run may well be riding out the product's outage.
   */
  ensureRunning(userId: string): Promise<void>;
}

/** Temporal must answer within this; an activity that wakes after its commit does not wait longer. */
const WAKE_DEADLINE_MS = 5_000;

export function createAccessDeliveryStarter(
  client: Client,
  taskQueue: string,
  policy: StepPolicy = DEFAULT_STEP_POLICY,
): AccessDeliveryStarter {
  const options = (userId: string) => ({
    workflowId: accessDeliveryWorkflowId(userId),
    taskQueue,
    args: [{ userId, policy }] as [AccessDeliveryInput],
    // Ids only: the Temporal UI's one line for the run.
    staticSummary: `Access events of user ${userId} → the product (APP_WEBHOOK_URL)`,
  });
  const withDeadline = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + WAKE_DEADLINE_MS, fn);
  return {
    async wake(userId) {
      await withDeadline(() =>
        client.workflow.signalWithStart(WorkflowType.deliverAccessEvents, { ...options(userId), signal: accessWakeSignal, signalArgs: [] }),
      );
    },
    async ensureRunning(userId) {
      await withDeadline(() =>
        client.workflow.start(WorkflowType.deliverAccessEvents, { ...options(userId), workflowIdConflictPolicy: 'USE_EXISTING' }),
      );
    },
  };
}
