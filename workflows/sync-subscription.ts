import { isCancellation } from '@temporalio/workflow';
import { call } from './activity-calls';
import { reviewAccessWhenGraceEnds } from './grace-review';
import { createStepRunner } from './steps';
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
  const steps = createStepRunner(eventId);
  const sync = () => call('syncAccess', `Sync access of ${stripeSubscriptionId}`, { eventId, stripeSubscriptionId });
  try {
    const state = await steps.run('recordSubscriptionEvent', () =>
      call(
        'recordSubscriptionEvent',
        `Record ${input.eventType}${input.status ? ` (${input.status})` : ''} for ${stripeSubscriptionId}`,
        input,
      ),
    );
    const access = await steps.run('syncAccess', sync);
    const invoice = input.invoice;
    const email =
      input.eventType === 'invoice.payment_failed' && invoice
        ? await steps.run(
            'sendPaymentFailedEmail',
            () =>
              call('sendPaymentFailedEmail', `Payment failed email for ${invoice.invoiceId}`, { eventId, stripeSubscriptionId, invoice }),
            { skipWith: () => ({ messageId: null, skipped: 'skipped by an operator' }) },
          )
        : null;
    await steps.complete('Mark the event applied');
    await reviewAccessWhenGraceEnds(access.reviewAt, () => steps.afterCompletion('reviewAccessWhenGraceEnds', sync));
    return {
      eventId,
      stripeSubscriptionId,
      status: state.status,
      linked: access.linked,
      hasAccess: access.hasAccess,
      seatLimit: access.seatLimit,
      paymentFailedEmail: email,
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw await steps.fail(err);
  }
}
