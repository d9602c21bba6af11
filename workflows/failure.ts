import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** Surface the activity's own message and type as the workflow's failure, so the UI and
 *  the client see "sumo_quantity must be …" rather than "Activity task failed". */
export function describeFailure(err: unknown): ApplicationFailure {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    return ApplicationFailure.create({ message: cause.message, type: cause.type ?? undefined, nonRetryable: true, cause: err });
  }
  if (err instanceof ApplicationFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ message, nonRetryable: true, cause: err instanceof Error ? err : undefined });
}
