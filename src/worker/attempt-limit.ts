import { ApplicationFailure, CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { FailureType } from '../contracts';
import { redactEmails } from '../log';

/**
 * Every failure leaving an activity has its email addresses masked (see scrubbedCause).
 *
 * Bounds one round of an outage's retries, on the worker's side (ACTIVITY_MAX_ATTEMPTS): the
 * failure of the round's last attempt becomes non-retryable, of type `Outage`, with the worker's
 * RETRY_WINDOW in its details. So the workflow learns that the step is in an outage while it goes
 * on: its step runner marks the run Retrying (search attribute, details, metric), waits, and runs
 * the step again, round after round, until the window ends — only then does it ask an operator
 * (workflows/outage-retry.ts). Every non-retryable failure carries `{ attempt }` in its details
 * for the `status` query.
 */
export function attemptLimit(maxAttempts: number, retryWindowMs: number): (ctx: Context) => ActivityInterceptors {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          throw bounded(err, ctx.info.attempt, maxAttempts, retryWindowMs);
        }
      },
    },
  });
}

function bounded(err: unknown, attempt: number, maxAttempts: number, retryWindowMs: number): unknown {
  if (err instanceof CancelledFailure) return err;
  const message = redactEmails(err instanceof Error ? err.message : String(err));
  const cause = scrubbedCause(err instanceof Error ? err.cause : undefined);
  if (err instanceof ApplicationFailure && err.nonRetryable) {
    return ApplicationFailure.create({ message, type: err.type ?? undefined, nonRetryable: true, details: [{ attempt }], cause });
  }
  if (attempt < maxAttempts) {
    if (err instanceof ApplicationFailure)
      return ApplicationFailure.create({ message, type: err.type ?? undefined, details: err.details ?? undefined, cause });
    return Object.assign(new Error(message, { cause }), { name: err instanceof Error ? err.name : 'Error' });
  }
  return ApplicationFailure.create({
    message,
    type: FailureType.Outage,
    nonRetryable: true,
    details: [{ attempt, retryWindowMs }],
    cause,
  });
}

/** A failure's message goes into the history, the UI and the ledger: no email address may
 *  ride along (Postmark quotes refused ones), in it or in its causes. */
function scrubbedCause(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  return Object.assign(new Error(redactEmails(cause.message), { cause: scrubbedCause(cause.cause) }), { name: cause.name });
}
