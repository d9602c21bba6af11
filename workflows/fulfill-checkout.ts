import { fulfillLifetime } from './fulfill-lifetime';
import { tellTheBuyer } from './tell-the-buyer';
import { reviewAccessWhenGraceEnds } from './grace-review';
import { runSteps } from './steps';
import type { FulfillmentInput, FulfillmentSummary } from '../src/contracts';

/**
 * One Stripe checkout event → one fulfillment. The workflow id is the Stripe event id,
 * so Temporal itself refuses a second run for a duplicate delivery.
 *
 * Validation (resolvePurchase) runs before any write, so a purchase with bad data stops
 * before half a fulfillment is written. A step that fails for good waits in
 * NeedsAttention for an operator (see steps/) instead of failing the workflow.
 */
export async function fulfillCheckout(input: FulfillmentInput): Promise<FulfillmentSummary> {
  const { eventId } = input;
  const tier = input.tierId ? `tier ${input.tierId}${input.rawQuantity ? ` ×${input.rawQuantity}` : ''}` : 'tier from line items';
  const lifetime = input.mode === 'payment';
  const kind = lifetime ? `${input.source} lifetime` : input.source;
  return runSteps(input, async (steps) => {
    const purchase = await steps.call('resolvePurchase', `Validate ${kind} purchase: ${tier}`, input);
    const user = await steps.call(
      'findOrCreateUser',
      input.clientReferenceId ? `Find user ${input.clientReferenceId}` : 'Find or create the buyer by email',
      {
        eventId,
        email: input.email,
        name: input.name,
        source: input.source,
        stripeCustomerId: input.stripeCustomerId,
        sumoUserId: input.sumo?.userId ?? null,
        clientReferenceId: input.clientReferenceId,
      },
    );
    const who = user.created ? 'new user' : 'existing user';
    steps.describe(`${input.source === 'sumo' ? 'Sumo' : 'Direct'}${lifetime ? ' lifetime' : ''} purchase · ${tier} · ${who}`);
    if (lifetime) return fulfillLifetime(steps, input, purchase, user);
    const subscription = await steps.call('linkSubscription', `Link ${input.subscriptionId} to ${who} ${user.userId}`, {
      eventId,
      userId: user.userId,
      input,
      purchase,
    });
    const provision = {
      summary: `Provision ${purchase.plan} · ${purchase.seatLimit} seats · ${purchase.features.length} features`,
      input: {
        eventId,
        userId: user.userId,
        subscriptionRowId: subscription.subscriptionRowId,
        features: purchase.features,
        seatLimit: purchase.seatLimit,
      },
    };
    const access = await steps.call('provisionAccess', provision.summary, provision.input);
    // Fulfilled once access is there: the email follows, and never holds access up.
    await steps.complete('Mark the event fulfilled');
    const email = await tellTheBuyer(steps, input, purchase, user, access.hasAccess);
    // A payment failure recorded before this checkout linked the user started a grace period.
    await reviewAccessWhenGraceEnds(steps, access.reviewAt, () =>
      steps.call('provisionAccess', provision.summary, provision.input, { step: 'reviewAccessWhenGraceEnds' }),
    );
    return {
      eventId,
      userId: user.userId,
      userCreated: user.created,
      subscriptionId: subscription.stripeSubscriptionId,
      lifetime: null,
      plan: purchase.plan,
      seatLimit: access.seatLimit,
      entitlementsGranted: access.granted,
      ...email,
    };
  });
}
