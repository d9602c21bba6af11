import { ApplicationFailure } from '@temporalio/activity';

/** Failure types an operator can filter on. Bad data is never retried; outages are. */
export const ErrorType = {
  InvalidPurchaseData: 'InvalidPurchaseData',
  UnknownTier: 'UnknownTier',
  UnknownUser: 'UnknownUser',
  SubscriptionOwnedByAnotherUser: 'SubscriptionOwnedByAnotherUser',
  EmailRejected: 'EmailRejected',
  EmailOutcomeUnknown: 'EmailOutcomeUnknown',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Bad data: retrying cannot help. The message names the field and the event. */
export function invalidData(type: ErrorType, eventId: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${message} (event ${eventId})`, type);
}
