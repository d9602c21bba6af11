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
  /** A direct checkout has several line items and none, or more than one, is the tier's (the message lists them). */
  AmbiguousLineItems: 'AmbiguousLineItems',
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
   * A step failed every attempt of a round (ACTIVITY_MAX_ATTEMPTS) with failures worth retrying —
   * errors, timeouts, a worker that died: the step runner marks the run Retrying, waits, and runs
   * the step again — no operator needed.
   */
  Outage: 'Outage',
  /** An outage outlasted RETRY_WINDOW (set by the step runner): now an operator is asked. */
  RetriesExhausted: 'RetriesExhausted',
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
