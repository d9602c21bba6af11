/**
 * Every failure type name the service raises, in one registry: activities throw them,
 * workflows and the worker's interceptor set them, and operators filter on them
 * (`ops show`, the Temporal UI). Bad data is never retried; outages are, until
 * `RetriesExhausted`.
 */
export const FailureType = {
  /** A field of the purchase is missing or malformed (the message names it). */
  InvalidPurchaseData: 'InvalidPurchaseData',
  /** A tier id or price is not in the tier catalogue. */
  UnknownTier: 'UnknownTier',
  /** `client_reference_id` names no user. */
  UnknownUser: 'UnknownUser',
  SubscriptionOwnedByAnotherUser: 'SubscriptionOwnedByAnotherUser',
  /** A one-time purchase's payment intent is already recorded for another user. */
  PurchaseOwnedByAnotherUser: 'PurchaseOwnedByAnotherUser',
  /** A partial refund of a lifetime purchase maps to no whole number of codes: an operator decides. */
  PartialRefundNeedsDecision: 'PartialRefundNeedsDecision',
  /** Postmark refused the message (422: inactive recipient, bad template, invalid address). */
  EmailRejected: 'EmailRejected',
  /** Postmark may or may not have sent the message; sending again could mail twice. */
  EmailOutcomeUnknown: 'EmailOutcomeUnknown',
  /**
   * A retryable failure (an outage) outlasted one round of ACTIVITY_MAX_ATTEMPTS attempts (set by the
   * worker's attempt-limit interceptor, with the worker's RETRY_WINDOW in its details): the step
   * runner marks the run Retrying, waits, and runs the step again — no operator needed.
   */
  Outage: 'Outage',
  /** An outage outlasted RETRY_WINDOW (set by the step runner): now an operator is asked. */
  RetriesExhausted: 'RetriesExhausted',
  /** An activity did not report back in time (no failure message of its own). */
  ActivityTimeout: 'ActivityTimeout',
  /** An operator's `cancel` ended the fulfillment. */
  CancelledByOperator: 'CancelledByOperator',
  /** Nobody acted on a NeedsAttention fulfillment within its wait. */
  AttentionTimedOut: 'AttentionTimedOut',
  /** Stripe refused to list events to reconciliation (the key lacks Events read, or is revoked): a configuration to fix. */
  ReconcileNotPermitted: 'ReconcileNotPermitted',
  /** The product's endpoint (APP_WEBHOOK_URL) refused an access event with a 4xx (a wrong secret, a bad URL): someone must look. */
  AccessWebhookRejected: 'AccessWebhookRejected',
  /** The workflow refused an operator's retry/skip/cancel (the message says why); nothing changed. */
  OperatorRequestRefused: 'OperatorRequestRefused',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** How long a step rides out an outage before it asks an operator, when the worker did not say
 *  (RETRY_WINDOW's default; a timeout carries no worker details). */
export const RETRY_WINDOW_DEFAULT_MS = 6 * 3_600_000;

/**
 * Attempts of one activity the workflows' retry policy allows (`maximumAttempts`): the ceiling
 * of ACTIVITY_MAX_ATTEMPTS, which the worker enforces below it (RetriesExhausted).
 */
export const ACTIVITY_ATTEMPTS_CEILING = 25;
