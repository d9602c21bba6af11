import { TypedSearchAttributes } from '@temporalio/common';
import { searchAttributes, type WorkflowStart } from '../contracts';
import { emailHash } from './email-hash';

export function searchAttributesFor(start: WorkflowStart): TypedSearchAttributes {
  const input = start.input;
  const facts =
    start.workflowType === 'fulfillCheckout'
      ? {
          source: start.input.source,
          subscriptionId: start.input.subscriptionId,
          campaignId: start.input.sumo?.campaignId ?? null,
          email: start.input.email,
        }
      : {
          source: start.input.sumoCampaignId ? 'sumo' : null,
          subscriptionId: start.input.stripeSubscriptionId,
          campaignId: start.input.sumoCampaignId,
          email: start.input.invoice?.customerEmail ?? null,
        };
  const pairs = [
    { key: searchAttributes.StripeEventType, value: input.eventType },
    { key: searchAttributes.FulfillmentSource, value: facts.source },
    { key: searchAttributes.StripeCustomerId, value: input.stripeCustomerId },
    { key: searchAttributes.StripeSubscriptionId, value: facts.subscriptionId },
    { key: searchAttributes.SumoCampaignId, value: facts.campaignId },
    { key: searchAttributes.FulfillmentStatus, value: 'Running' },
    { key: searchAttributes.CustomerEmailHash, value: facts.email ? emailHash(facts.email) : null },
  ];
  return new TypedSearchAttributes(pairs.filter((p): p is { key: (typeof p)['key']; value: string } => p.value !== null));
}
