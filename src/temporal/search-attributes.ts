import { TypedSearchAttributes } from '@temporalio/common';
import { searchAttributes, type WorkflowStart } from '../contracts';
import { emailHash } from './email-hash';

interface Facts {
  source: string | null;
  subscriptionId: string | null;
  paymentIntentId: string | null;
  campaignId: string | null;
  email: string | null;
}

function factsOf(start: WorkflowStart): Facts {
  switch (start.workflowType) {
    case 'fulfillCheckout':
      return {
        source: start.input.source,
        subscriptionId: start.input.subscriptionId,
        paymentIntentId: start.input.paymentIntentId ?? null,
        campaignId: start.input.sumo?.campaignId ?? null,
        email: start.input.email,
      };
    case 'syncSubscription':
      return {
        source: start.input.sumoCampaignId ? 'sumo' : null,
        subscriptionId: start.input.stripeSubscriptionId,
        paymentIntentId: null,
        campaignId: start.input.sumoCampaignId,
        email: start.input.invoice?.customerEmail ?? null,
      };
    case 'syncPurchase':
      // A refund or dispute names only the payment; its checkout's run carries source and campaign.
      return { source: null, subscriptionId: null, paymentIntentId: start.input.paymentIntentId, campaignId: null, email: null };
  }
}

export function searchAttributesFor(start: WorkflowStart): TypedSearchAttributes {
  const input = start.input;
  const facts = factsOf(start);
  const pairs = [
    { key: searchAttributes.StripeEventType, value: input.eventType },
    { key: searchAttributes.FulfillmentSource, value: facts.source },
    { key: searchAttributes.StripeCustomerId, value: input.stripeCustomerId },
    { key: searchAttributes.StripeSubscriptionId, value: facts.subscriptionId },
    { key: searchAttributes.StripePaymentIntentId, value: facts.paymentIntentId },
    { key: searchAttributes.SumoCampaignId, value: facts.campaignId },
    { key: searchAttributes.CustomerEmailHash, value: facts.email ? emailHash(facts.email) : null },
  ];
  return new TypedSearchAttributes(pairs.filter((p): p is { key: (typeof p)['key']; value: string } => p.value !== null));
}
