import { log } from '@temporalio/activity';
import type { FulfillmentInput, LinkedSubscription, ResolvedPurchase } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { ErrorType, invalidData } from './errors';

export interface LinkSubscriptionInput {
  eventId: string;
  userId: string;
  input: FulfillmentInput;
  purchase: ResolvedPurchase;
}

/**
 * Links the Stripe subscription to the user: one row per `stripe_subscription_id`.
 * The first link wins; running it again (a retry, a redelivery, the async-payment event
 * of the same session) changes nothing.
 */
export function createLinkSubscription({ db }: Pick<ActivityDeps, 'db'>) {
  return async function linkSubscription({ eventId, userId, input, purchase }: LinkSubscriptionInput): Promise<LinkedSubscription> {
    const stripeSubscriptionId = input.subscriptionId;
    if (!stripeSubscriptionId) {
      throw invalidData(ErrorType.InvalidPurchaseData, eventId, `checkout session ${input.checkoutSessionId} has no subscription`);
    }
    const row = await db.subscription.upsert({
      where: { stripeSubscriptionId },
      // A no-op update keeps this a single INSERT … ON CONFLICT DO UPDATE (race-free).
      update: { stripeSubscriptionId },
      create: {
        stripeSubscriptionId,
        userId,
        checkoutSessionId: input.checkoutSessionId,
        stripeAccount: input.account,
        tierId: purchase.tierId,
        plan: purchase.plan,
        quantity: purchase.quantity,
        seatLimit: purchase.seatLimit,
        addons: purchase.addons,
        status: 'active',
        source: input.source,
        sumoCampaignId: input.sumo?.campaignId ?? null,
        linkedByEventId: eventId,
      },
      select: { id: true, userId: true },
    });
    if (row.userId !== userId) {
      throw invalidData(
        ErrorType.SubscriptionOwnedByAnotherUser,
        eventId,
        `subscription ${stripeSubscriptionId} is already linked to another user`,
      );
    }
    log.info('subscription linked', { stripeSubscriptionId, userId, tierId: purchase.tierId, quantity: purchase.quantity });
    return { subscriptionRowId: row.id, stripeSubscriptionId };
  };
}
