import type { StepRunner } from './steps';
import type { FulfillmentInput, FulfillmentSummary, ResolvedPurchase, UserRef } from '../src/contracts';

/**
 * The buyer's one email for a purchase, once access is provisioned: a new user gets the welcome;
 * a user who already had an account gets a confirmation of what they bought instead (Sumo's
 * partner guide: no welcome to an existing user). Either is sent at most once (per user for the
 * welcome, per checkout session for the confirmation), and either can be skipped by an operator.
 */
export async function tellTheBuyer(
  steps: StepRunner,
  input: FulfillmentInput,
  purchase: ResolvedPurchase,
  user: UserRef,
): Promise<Pick<FulfillmentSummary, 'welcomeEmailMessageId' | 'confirmationEmailMessageId'>> {
  const { eventId } = input;
  if (user.created) {
    const welcome = await steps.call(
      'sendWelcomeEmail',
      `Welcome email to new user ${user.userId}`,
      { eventId, userId: user.userId },
      { skipWith: () => null },
    );
    return { welcomeEmailMessageId: welcome?.messageId ?? null, confirmationEmailMessageId: null };
  }
  const lifetime = input.mode === 'payment';
  const confirmation = await steps.call(
    'sendPurchaseConfirmation',
    `Purchase confirmation to existing user ${user.userId}: ${lifetime ? 'lifetime ' : ''}${purchase.plan} ×${purchase.quantity}`,
    {
      eventId,
      userId: user.userId,
      checkoutSessionId: input.checkoutSessionId,
      plan: purchase.plan,
      licences: purchase.quantity,
      seats: purchase.seatLimit,
      addons: purchase.addons,
      lifetime,
      sumo: input.source === 'sumo',
    },
    { skipWith: () => null },
  );
  return { welcomeEmailMessageId: null, confirmationEmailMessageId: confirmation?.messageId ?? null };
}
