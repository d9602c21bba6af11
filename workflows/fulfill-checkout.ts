import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { describeFailure } from './failure';
import { reviewAccessWhenGraceEnds } from './grace-review';
import type { FulfillmentInput, FulfillmentSummary } from './types';

type Activities = ReturnType<typeof createActivities>;

const retry = {
  initialInterval: '500ms',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

const { resolvePurchase, findOrCreateUser, linkSubscription, provisionAccess, sendWelcomeEmail, recordOutcome } =
  proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

/**
 * One Stripe checkout event → one fulfillment. The workflow id is the Stripe event id,
 * so Temporal itself refuses a second run for a duplicate delivery.
 *
 * Validation (resolvePurchase) runs before any write, so a purchase with bad data
 * fails without leaving half a fulfillment behind; a redelivery after the data or
 * the catalogue is fixed starts from a clean slate.
 */
export async function fulfillCheckout(input: FulfillmentInput): Promise<FulfillmentSummary> {
  const { eventId } = input;
  try {
    const purchase = await resolvePurchase(input);
    const user = await findOrCreateUser({
      eventId,
      email: input.email,
      name: input.name,
      source: input.source,
      stripeCustomerId: input.stripeCustomerId,
      sumoUserId: input.sumo?.userId ?? null,
      clientReferenceId: input.clientReferenceId,
    });
    const subscription = await linkSubscription({ eventId, userId: user.userId, input, purchase });
    const access = await provisionAccess({
      eventId,
      userId: user.userId,
      subscriptionRowId: subscription.subscriptionRowId,
      features: purchase.features,
      seatLimit: purchase.seatLimit,
    });
    const welcome = user.created ? await sendWelcomeEmail({ eventId, userId: user.userId }) : null;
    await recordOutcome({ eventId, status: 'completed', error: null });
    // A payment failure recorded before this checkout linked the user started a grace period.
    await reviewAccessWhenGraceEnds(access.reviewAt, () =>
      provisionAccess({ eventId, userId: user.userId, subscriptionRowId: subscription.subscriptionRowId, features: purchase.features, seatLimit: purchase.seatLimit }),
    );
    return {
      eventId,
      userId: user.userId,
      userCreated: user.created,
      subscriptionId: subscription.stripeSubscriptionId,
      plan: purchase.plan,
      seatLimit: access.seatLimit,
      entitlementsGranted: access.granted,
      welcomeEmailMessageId: welcome?.messageId ?? null,
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const failure = describeFailure(err);
    await recordOutcome({ eventId, status: 'failed', error: failure.message });
    throw failure;
  }
}
