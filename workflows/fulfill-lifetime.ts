import type { StepRunner } from './steps';
import { tellTheBuyer } from './tell-the-buyer';
import type { FulfillmentInput, FulfillmentSummary, ResolvedPurchase, UserRef } from '../src/contracts';

/**
 * The rest of a one-time purchase's fulfillment (a payment-mode checkout: a lifetime deal), once
 * it is validated and its user found: record the purchase (by payment intent and session),
 * provision tier × quantity (+ add-ons) as lifetime access — less whatever refunds or disputes
 * recorded before the checkout took away — and welcome a new user, or confirm an existing one's purchase
 * (neither when refunds or disputes left no access: tell-the-buyer.ts). The checkout always completes
 * with what the purchase grants: a refund recorded before it that is no whole number of codes is a
 * decision on the refund, asked once the event is marked fulfilled (`decidePartialRefund`, which an
 * operator may skip to keep the access as provisioned).
 */
export async function fulfillLifetime(
  steps: StepRunner,
  input: FulfillmentInput,
  purchase: ResolvedPurchase,
  user: UserRef,
): Promise<FulfillmentSummary> {
  const { eventId } = input;
  const who = user.created ? 'new user' : 'existing user';
  const payment = input.paymentIntentId ?? input.checkoutSessionId;
  const recorded = await steps.call('recordPurchase', `Record lifetime purchase ${payment} for ${who} ${user.userId}`, {
    eventId,
    userId: user.userId,
    input,
    purchase,
  });
  const access = await steps.call(
    'syncPurchaseAccess',
    `Provision lifetime ${purchase.plan} · ${purchase.quantity} code(s) · ${purchase.seatLimit} seats · ${purchase.features.length} features`,
    { eventId, purchase: { id: recorded.purchaseRowId }, ambiguousRefund: 'keep' },
  );
  await steps.complete('Mark the event fulfilled');
  const email = await tellTheBuyer(steps, input, purchase, user, access.hasAccess);
  if (access.status === 'refund_needs_decision') {
    await steps.call(
      'syncPurchaseAccess',
      `Decide the partial refund of ${payment}`,
      { eventId, purchase: { id: recorded.purchaseRowId } },
      { step: 'decidePartialRefund', skipWith: () => access },
    );
  }
  return {
    eventId,
    userId: user.userId,
    userCreated: user.created,
    subscriptionId: null,
    lifetime: { paymentIntentId: recorded.paymentIntentId, status: access.status, activeQuantity: access.activeQuantity },
    plan: purchase.plan,
    seatLimit: access.seatLimit,
    entitlementsGranted: access.granted,
    ...email,
  };
}
