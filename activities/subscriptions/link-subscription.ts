import { log } from '@temporalio/activity';
import { recordSubscriptionChange } from './subscription-store';
import type { FulfillmentInput, LinkedSubscription, ResolvedPurchase } from '../../src/contracts';
import type { ActivityDeps } from '../deps';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../shared/errors';

export interface LinkSubscriptionInput {
  eventId: string;
  userId: string;
  input: FulfillmentInput;
  purchase: ResolvedPurchase;
}

/**
 * Links the Stripe subscription to the user (one row per `stripe_subscription_id`; the
 * first link wins) and records what the paid checkout says: tier, quantity, add-ons and
 * status `active`, each only if no newer event has spoken (lifecycle events may have
 * arrived first). Running it again changes nothing.
 */
export function createLinkSubscription({ db }: Pick<ActivityDeps, 'db'>) {
  return async function linkSubscription({ eventId, userId, input, purchase }: LinkSubscriptionInput): Promise<LinkedSubscription> {
    const stripeSubscriptionId = input.subscriptionId;
    if (!stripeSubscriptionId) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, `checkout session ${input.checkoutSessionId} has no subscription`);
    }
    const recorded = await recordSubscriptionChange(db, {
      stripeSubscriptionId,
      stripeAccount: input.account,
      stripeCustomerId: input.stripeCustomerId,
      link: { userId, checkoutSessionId: input.checkoutSessionId, source: input.source, sumoCampaignId: input.sumo?.campaignId ?? null },
      patch: {
        eventId,
        eventType: input.eventType,
        created: input.created,
        tierId: purchase.tierId,
        // A Sumo checkout's licences are sumo_quantity, in its own unit: Stripe's item quantity
        // scales them (src/lifecycle/subscription-state.ts planOf). A direct one's are the line item's.
        ...(input.source === 'sumo' ? { sumoQuantity: purchase.quantity } : { quantity: purchase.quantity }),
        addons: purchase.addons,
        status: 'active',
      },
    });
    if (recorded.outcome === 'owned_by_another_user') {
      throw invalidData(
        FailureType.SubscriptionOwnedByAnotherUser,
        eventId,
        `subscription ${stripeSubscriptionId} is already linked to another user`,
      );
    }
    log.info('subscription linked', {
      stripeSubscriptionId,
      userId,
      tierId: recorded.tierId,
      quantity: recorded.quantity,
      status: recorded.status,
    });
    return { subscriptionRowId: recorded.rowId, stripeSubscriptionId };
  };
}
