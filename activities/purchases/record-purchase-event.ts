import { log } from '@temporalio/activity';
import { recordPurchaseChange } from './purchase-store';
import type { PurchaseEventInput } from '../../src/contracts';
import type { PurchaseEventPatch } from '../../src/lifecycle/purchase-state';
import type { ActivityDeps } from '../deps';

/**
 * Records what a refund or dispute says about its payment (see src/lifecycle/purchase-state.ts).
 * A payment no checkout has recorded yet keeps it until its checkout does; one that never gets
 * a checkout (a subscription invoice's charge) keeps it and nothing else happens.
 */
export function createRecordPurchaseEvent({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordPurchaseEvent(input: PurchaseEventInput): Promise<{ linked: boolean }> {
    const base = { eventId: input.eventId, eventType: input.eventType, created: input.created };
    let patch: PurchaseEventPatch;
    if (input.refund) patch = { ...base, refund: input.refund };
    else if (input.dispute) patch = { ...base, dispute: input.dispute };
    else throw new Error(`unreachable: ${input.eventType} carries neither a refund nor a dispute`);
    const recorded = await recordPurchaseChange(db, {
      key: { paymentIntentId: input.paymentIntentId },
      eventId: input.eventId,
      stripeAccount: input.account,
      stripeCustomerId: input.stripeCustomerId,
      event: patch,
    });
    if (recorded.outcome !== 'recorded') throw new Error('unreachable: no link was asked for');
    log.info('purchase event recorded', {
      paymentIntentId: input.paymentIntentId,
      eventType: input.eventType,
      linked: recorded.userId !== null,
    });
    return { linked: recorded.userId !== null };
  };
}
