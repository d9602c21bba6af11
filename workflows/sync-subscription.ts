import { reviewAccessWhenGraceEnds } from './grace-review';
import { runSteps } from './steps';
import type { SubscriptionEventInput, SubscriptionSyncSummary } from '../src/contracts';

/**
 * One subscription lifecycle event → the subscription's stored state and the user's access
 * brought up to date. The workflow id is the Stripe event id, as for checkouts.
 *
 * Order does not matter: the event's facts are recorded only where they are newer than
 * what is stored, and access is then derived from the stored state, not from this event.
 * A subscription not yet linked to a user just keeps the state; its checkout applies it.
 */
export async function syncSubscription(input: SubscriptionEventInput): Promise<SubscriptionSyncSummary> {
  const { eventId, stripeSubscriptionId } = input;
  const sync = { summary: `Sync access of ${stripeSubscriptionId}`, input: { eventId, stripeSubscriptionId } };
  return runSteps(input, async (steps) => {
    const state = await steps.call(
      'recordSubscriptionEvent',
      `Record ${input.eventType}${input.status ? ` (${input.status})` : ''} for ${stripeSubscriptionId}`,
      input,
    );
    const access = await steps.call('syncAccess', sync.summary, sync.input);
    await steps.complete('Mark the event applied');
    const invoice = input.invoice;
    const email =
      input.eventType === 'invoice.payment_failed' && invoice
        ? await steps.call(
            'sendPaymentFailedEmail',
            `Payment failed email for ${invoice.invoiceId}`,
            { eventId, stripeSubscriptionId, invoice },
            { skipWith: () => ({ messageId: null, skipped: 'skipped by an operator' }) },
          )
        : null;
    await reviewAccessWhenGraceEnds(steps, access.reviewAt, () =>
      steps.call('syncAccess', sync.summary, sync.input, { step: 'reviewAccessWhenGraceEnds' }),
    );
    return {
      eventId,
      stripeSubscriptionId,
      status: state.status,
      linked: access.linked,
      hasAccess: access.hasAccess,
      seatLimit: access.seatLimit,
      paymentFailedEmail: email,
    };
  });
}
