import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FailureType } from '../../src/contracts';

/** Why a step failed, as the run reports it (status query, details, ledger, the run's failure). */
export interface StepFailure {
  message: string;
  type: string | null;
  /** Attempts of the last round, when known. */
  attempts: number | null;
  /** True when the attempts ended with a failure worth retrying (an error, a timeout, a dead
   *  worker): an outage, which the run rides out; false: bad data or a refusal, a decision. */
  retryable: boolean;
}

/**
 * What a step's failure was, from what the activity said: its own message and type, never
 * "Activity task failed". A timeout (start-to-close, schedule-to-close: a hung dependency or a
 * worker that died) is an attempt like any other and counts as retryable.
 */
export function describeFailure(err: unknown, attempts: number | null = null): StepFailure {
  const cause: unknown = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    const after = cause.cause ? ` after: ${cause.cause.message}` : '';
    return { message: `timed out (${cause.timeoutType})${after}`, type: FailureType.Outage, attempts, retryable: true };
  }
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { attempt?: number } | undefined;
    return {
      message: cause.message,
      type: cause.nonRetryable ? (cause.type ?? null) : FailureType.Outage,
      attempts: details?.attempt ?? attempts,
      retryable: !cause.nonRetryable,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { message, type: FailureType.Outage, attempts, retryable: true };
}

/** The failure a run ends with: the step's own message and type. */
export function runFailure(failure: Pick<StepFailure, 'message' | 'type'>): ApplicationFailure {
  return ApplicationFailure.create({ message: failure.message, type: failure.type ?? undefined, nonRetryable: true });
}
