import { patched } from '@temporalio/workflow';
import type { StepRunner } from './steps';
import type { FulfillmentInput, FulfillmentSummary, ResolvedPurchase, UserRef } from '../src/contracts';

type BuyerEmails = Pick<FulfillmentSummary, 'welcomeEmailMessageId' | 'confirmationEmailMessageId' | 'notActiveEmailMessageId'>;

/**
 * Marks runs that decide the buyer's email by what was granted. A run recorded before it (one
 * that granted nothing may wait at its welcome step for an operator across a deploy) replays the
 * way it ran: the welcome or the confirmation.
 */
const EMAIL_FOLLOWS_ACCESS = 'email-follows-access';

/**
 * The buyer's one email for a purchase, once access is provisioned: a new user gets the welcome;
 * a user who already had an account gets a confirmation of what they bought instead (Sumo's
 * partner guide: no welcome to an existing user). Both say the purchase is active, so when the
 * checkout granted nothing (its subscription cancelled, or the deal refunded or disputed, before
 * it was processed) the buyer gets neither: the not-active email says so and why. Each is sent
 * at most once (per user for the welcome, per checkout session for the others), and each can be
 * skipped by an operator.
 */
export async function tellTheBuyer(
  steps: StepRunner,
  input: FulfillmentInput,
  purchase: ResolvedPurchase,
  user: UserRef,
  granted: boolean,
): Promise<BuyerEmails> {
  const { eventId } = input;
  const lifetime = input.mode === 'payment';
  const none: BuyerEmails = { welcomeEmailMessageId: null, confirmationEmailMessageId: null, notActiveEmailMessageId: null };
  // patched() only here: its marker is written only in the runs that grant nothing.
  if (!granted && patched(EMAIL_FOLLOWS_ACCESS)) {
    const notice = await steps.call(
      'sendPurchaseNotActive',
      `Not-active email to ${user.created ? 'new' : 'existing'} user ${user.userId}: ${lifetime ? 'lifetime ' : ''}${purchase.plan}, nothing granted`,
      {
        eventId,
        userId: user.userId,
        checkoutSessionId: input.checkoutSessionId,
        plan: purchase.plan,
        lifetime,
        sumo: input.source === 'sumo',
      },
      { skipWith: () => null },
    );
    return { ...none, notActiveEmailMessageId: notice?.messageId ?? null };
  }
  if (user.created) {
    const welcome = await steps.call(
      'sendWelcomeEmail',
      `Welcome email to new user ${user.userId}`,
      { eventId, userId: user.userId },
      { skipWith: () => null },
    );
    return { ...none, welcomeEmailMessageId: welcome?.messageId ?? null };
  }
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
  return { ...none, confirmationEmailMessageId: confirmation?.messageId ?? null };
}
