import { log } from '@temporalio/activity';
import { recordPurchaseChange } from './purchase-store';
import type { FulfillmentInput, RecordedPurchase, ResolvedPurchase } from '../../src/contracts';
import type { ActivityDeps } from '../deps';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../shared/errors';

export interface RecordPurchaseInput {
  eventId: string;
  userId: string;
  input: FulfillmentInput;
  purchase: ResolvedPurchase;
}

/**
 * Records a paid payment-mode checkout (a lifetime deal) for its user: one row per payment
 * intent and per checkout session, the first link wins. Refunds or disputes that came first are
 * already on the row and count from here on. Running it again changes nothing.
 */
export function createRecordPurchase({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordPurchase({ eventId, userId, input, purchase }: RecordPurchaseInput): Promise<RecordedPurchase> {
    const paymentIntentId = input.paymentIntentId ?? null;
    const recorded = await recordPurchaseChange(db, {
      key: paymentIntentId
        ? { paymentIntentId, checkoutSessionId: input.checkoutSessionId }
        : { paymentIntentId: null, checkoutSessionId: input.checkoutSessionId },
      eventId,
      stripeAccount: input.account,
      stripeCustomerId: input.stripeCustomerId,
      link: {
        userId,
        checkoutSessionId: input.checkoutSessionId,
        source: input.source,
        sumoCampaignId: input.sumo?.campaignId ?? null,
        tierId: purchase.tierId,
        plan: purchase.plan,
        quantity: purchase.quantity,
        addons: purchase.addons,
        amount: input.amountTotal ?? null,
        currency: input.currency ?? null,
      },
    });
    if (recorded.outcome === 'owned_by_another_user') {
      throw invalidData(
        FailureType.PurchaseOwnedByAnotherUser,
        eventId,
        `payment ${paymentIntentId ?? input.checkoutSessionId} is already recorded for another user`,
      );
    }
    log.info('lifetime purchase recorded', { paymentIntentId, userId, tierId: purchase.tierId, quantity: purchase.quantity });
    return { purchaseRowId: recorded.rowId, paymentIntentId };
  };
}
