import { runSteps } from './steps';
import type { PurchaseEventInput, PurchaseSyncSummary } from '../src/contracts';

/**
 * One refund or dispute event → what it says recorded on its payment's purchase, and the
 * purchase's access brought in line (revoked, lowered, suspended, restored). The workflow id is
 * the Stripe event id, as for checkouts. Order does not matter (src/lifecycle/purchase-state.ts);
 * a payment no checkout has recorded yet keeps the facts for its checkout, and the run ends.
 */
export async function syncPurchase(input: PurchaseEventInput): Promise<PurchaseSyncSummary> {
  const { eventId, paymentIntentId } = input;
  const what = input.dispute ? `dispute ${input.dispute.disputeId} (${input.dispute.status})` : describeRefund(input);
  return runSteps(input, async (steps) => {
    const recorded = await steps.call('recordPurchaseEvent', `Record ${what} for ${paymentIntentId}`, input);
    steps.describe(`${input.eventType} · ${paymentIntentId}${recorded.linked ? '' : ' · kept until its checkout'}`);
    // Skip (an operator's decision on a partial refund): access stays as it was.
    const access = recorded.linked
      ? await steps.call(
          'syncPurchaseAccess',
          `Sync access of ${paymentIntentId}`,
          { eventId, purchase: { paymentIntentId } },
          { skipWith: () => null },
        )
      : null;
    await steps.complete(recorded.linked ? 'Mark the event applied' : 'Mark the event kept for its checkout');
    return {
      eventId,
      paymentIntentId,
      linked: recorded.linked,
      status: access?.status ?? null,
      hasAccess: access?.hasAccess ?? null,
      activeQuantity: access?.activeQuantity ?? null,
      seatLimit: access?.seatLimit ?? null,
    };
  });
}

function describeRefund(input: PurchaseEventInput): string {
  const refund = input.refund;
  if (!refund) return input.eventType;
  return refund.kind === 'charge'
    ? `refund: ${refund.amountRefunded} of ${refund.chargeAmount} refunded${refund.fullyRefunded ? ' (full)' : ''}`
    : `refund ${refund.refundId} of ${refund.amount}`;
}
