import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import type { WorkflowStart } from '../stripe/event-router';

/**
 * Search attributes set on every fulfillment, so the Temporal UI can filter by them.
 * They are stored in plaintext in Temporal's visibility store: ids only, never personal data.
 */
export const searchAttributes = {
  StripeEventType: defineSearchAttributeKey('StripeEventType', SearchAttributeType.KEYWORD),
  FulfillmentSource: defineSearchAttributeKey('FulfillmentSource', SearchAttributeType.KEYWORD),
  StripeCustomerId: defineSearchAttributeKey('StripeCustomerId', SearchAttributeType.KEYWORD),
  StripeSubscriptionId: defineSearchAttributeKey('StripeSubscriptionId', SearchAttributeType.KEYWORD),
  SumoCampaignId: defineSearchAttributeKey('SumoCampaignId', SearchAttributeType.KEYWORD),
} as const;

/** `Name=Keyword` pairs for `temporal server start-dev --search-attribute` and
 *  `temporal operator search-attribute create`. */
export const searchAttributeRegistrations = Object.values(searchAttributes).map((key) => `${key.name}=Keyword`);

export function searchAttributesFor(start: WorkflowStart): TypedSearchAttributes {
  const input = start.input;
  const facts =
    start.workflowType === 'fulfillCheckout'
      ? { source: start.input.source, subscriptionId: start.input.subscriptionId, campaignId: start.input.sumo?.campaignId ?? null }
      : {
          source: start.input.sumoCampaignId ? 'sumo' : null,
          subscriptionId: start.input.stripeSubscriptionId,
          campaignId: start.input.sumoCampaignId,
        };
  const pairs = [
    { key: searchAttributes.StripeEventType, value: input.eventType },
    { key: searchAttributes.FulfillmentSource, value: facts.source },
    { key: searchAttributes.StripeCustomerId, value: input.stripeCustomerId },
    { key: searchAttributes.StripeSubscriptionId, value: facts.subscriptionId },
    { key: searchAttributes.SumoCampaignId, value: facts.campaignId },
  ];
  return new TypedSearchAttributes(pairs.filter((p): p is { key: (typeof p)['key']; value: string } => p.value !== null));
}
