import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes set on every fulfillment, so the Temporal UI can filter by them.
 * They are stored in plaintext in Temporal's visibility store: ids only, never personal data.
 */
export const searchAttributes = {
  StripeEventType: defineSearchAttributeKey('StripeEventType', SearchAttributeType.KEYWORD),
  FulfillmentSource: defineSearchAttributeKey('FulfillmentSource', SearchAttributeType.KEYWORD),
  StripeCustomerId: defineSearchAttributeKey('StripeCustomerId', SearchAttributeType.KEYWORD),
  StripeSubscriptionId: defineSearchAttributeKey('StripeSubscriptionId', SearchAttributeType.KEYWORD),
  /** A one-time purchase's payment intent: its checkout, refunds and disputes share it. */
  StripePaymentIntentId: defineSearchAttributeKey('StripePaymentIntentId', SearchAttributeType.KEYWORD),
  SumoCampaignId: defineSearchAttributeKey('SumoCampaignId', SearchAttributeType.KEYWORD),
  /** Running | Retrying | Completed | NeedsAttention | Failed, kept current by the workflow. */
  FulfillmentStatus: defineSearchAttributeKey('FulfillmentStatus', SearchAttributeType.KEYWORD),
  /** emailHash() of the buyer's normalised email: find a customer's fulfillments without storing the email. */
  CustomerEmailHash: defineSearchAttributeKey('CustomerEmailHash', SearchAttributeType.KEYWORD),
} as const;

/** `Name=Keyword` pairs for `temporal server start-dev --search-attribute` and
 *  `temporal operator search-attribute create` (every one is a Keyword). */
export const searchAttributeRegistrations = Object.values(searchAttributes).map((key) => `${key.name}=Keyword`);
