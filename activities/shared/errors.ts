import { ApplicationFailure } from '@temporalio/activity';
import type { FailureType } from '../../src/contracts';

/** Bad data: retrying cannot help. The message names the field and the event. */
export function invalidData(type: FailureType, eventId: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${message} (event ${eventId})`, type);
}
