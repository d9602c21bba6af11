import { ApplicationFailure, CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { redactEmails } from '../log';

/**
 * Every failure leaving an activity has its email addresses masked, in its message and its causes:
 * a failure goes into the history, the Temporal UI and the ledger, and Postmark quotes the
 * addresses it refuses. Its retryability and type are kept (the activity decides them); a
 * non-retryable one carries `{ attempt }` in its details for the `status` query. How many attempts
 * a step gets, and what happens after, is the workflow's (workflows/steps/).
 */
export function redactFailures(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          throw redacted(err, ctx.info.attempt);
        }
      },
    },
  };
}

function redacted(err: unknown, attempt: number): unknown {
  if (err instanceof CancelledFailure) return err;
  const message = redactEmails(err instanceof Error ? err.message : String(err));
  const cause = scrubbedCause(err instanceof Error ? err.cause : undefined);
  if (err instanceof ApplicationFailure && err.nonRetryable) {
    return ApplicationFailure.create({ message, type: err.type ?? undefined, nonRetryable: true, details: [{ attempt }], cause });
  }
  if (err instanceof ApplicationFailure)
    return ApplicationFailure.create({ message, type: err.type ?? undefined, details: err.details ?? undefined, cause });
  return Object.assign(new Error(message, { cause }), { name: err instanceof Error ? err.name : 'Error' });
}

/** The causes of a failure, each with its addresses masked. */
function scrubbedCause(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  return Object.assign(new Error(redactEmails(cause.message), { cause: scrubbedCause(cause.cause) }), { name: cause.name });
}
