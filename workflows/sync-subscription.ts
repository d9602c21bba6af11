import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { describeFailure } from './failure';
import { reviewAccessWhenGraceEnds } from './grace-review';
import type { SubscriptionEventInput, SubscriptionSyncSummary } from './types';

type Activities = ReturnType<typeof createActivities>;

const { recordSubscriptionEvent, syncAccess, sendPaymentFailedEmail, recordOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

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
  try {
    const state = await recordSubscriptionEvent(input);
    const access = await syncAccess({ eventId, stripeSubscriptionId });
    const email =
      input.eventType === 'invoice.payment_failed' && input.invoice
        ? await sendPaymentFailedEmail({ eventId, stripeSubscriptionId, invoice: input.invoice })
        : null;
    await recordOutcome({ eventId, status: 'completed', error: null });
    await reviewAccessWhenGraceEnds(access.reviewAt, () => syncAccess({ eventId, stripeSubscriptionId }));
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
    const failure = describeFailure(err);
    await recordOutcome({ eventId, status: 'failed', error: failure.message });
    throw failure;
  }
}
