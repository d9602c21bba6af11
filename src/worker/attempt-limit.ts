import { ApplicationFailure, CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { FailureType } from '../contracts';

/**
 * Bounds how long an outage is retried, on the worker's side (ACTIVITY_MAX_ATTEMPTS):
 * the failure of the last allowed attempt becomes non-retryable (`RetriesExhausted`), so
 * the workflow stops waiting on backoff and asks an operator (NeedsAttention). Every
 * non-retryable failure carries `{ attempt }` in its details for the `status` query.
 */
export function attemptLimit(maxAttempts: number): (ctx: Context) => ActivityInterceptors {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          throw bounded(err, ctx.info.attempt, maxAttempts);
        }
      },
    },
  });
}

function bounded(err: unknown, attempt: number, maxAttempts: number): unknown {
  if (err instanceof CancelledFailure) return err;
  if (err instanceof ApplicationFailure && err.nonRetryable) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.type ?? undefined,
      nonRetryable: true,
      details: [{ attempt }],
      cause: err.cause,
    });
  }
  if (attempt < maxAttempts) return err;
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({
    message: `gave up after ${attempt} attempts: ${message}`,
    type: FailureType.RetriesExhausted,
    nonRetryable: true,
    details: [{ attempt }],
    cause: err instanceof Error ? err : undefined,
  });
}
