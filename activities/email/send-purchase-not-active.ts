import { log } from '@temporalio/activity';
import type { PurchaseNotActiveModel } from '../../src/emails';
import type { ActivityDeps } from '../deps';
import { sendEmailOnce, sessionEmail, type OnceEmailResult } from './send-once';

/** What was bought, as the workflow resolved it; why nothing is active is read from the purchase's row. */
export interface SendPurchaseNotActiveInput {
  eventId: string;
  userId: string;
  /** One email per purchase: the checkout session is the purchase. */
  checkoutSessionId: string;
  plan: string;
  lifetime: boolean;
  sumo: boolean;
}

export interface PurchaseNotActiveResult {
  messageId: string | null;
  /** Why no email went out, when none did. */
  skipped: string | null;
}

/** Why a subscription or a one-time purchase gives no access, as the email's clause. */
const SUBSCRIPTION_REASONS: Record<string, string> = {
  canceled: 'the subscription was cancelled',
  incomplete: 'the subscription’s first payment did not go through',
  incomplete_expired: 'the subscription’s first payment did not go through',
  unpaid: 'the subscription’s payment is overdue',
  past_due: 'the subscription’s payment is overdue',
  paused: 'the subscription is paused',
};
const PURCHASE_REASONS: Record<string, string> = {
  refunded: 'the payment was refunded',
  disputed: 'the payment is disputed',
  dispute_lost: 'the payment was reversed after a dispute',
};

/**
 * Tells a buyer whose checkout granted nothing (the welcome and the purchase confirmation both
 * say the purchase is active) that it is not active and why, at most once per checkout session
 * (see sendEmailOnce). Skipped when the purchase has access by the time it runs: then the email
 * would be untrue too.
 */
export function createSendPurchaseNotActive({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendPurchaseNotActive(input: SendPurchaseNotActiveInput): Promise<PurchaseNotActiveResult> {
    const select = { status: true, hasAccess: true } as const;
    const row = input.lifetime
      ? await db.purchase.findUnique({ where: { checkoutSessionId: input.checkoutSessionId }, select })
      : await db.subscription.findFirst({ where: { checkoutSessionId: input.checkoutSessionId }, select });
    if (row?.hasAccess) {
      log.info('not-active email skipped: the purchase has access now', { checkoutSessionId: input.checkoutSessionId });
      return { messageId: null, skipped: 'the purchase has access now' };
    }
    const status = row?.status ?? 'unknown';
    const reason =
      (input.lifetime ? PURCHASE_REASONS : SUBSCRIPTION_REASONS)[status] ??
      `the ${input.lifetime ? 'purchase' : 'subscription'} is ${status.replace(/_/g, ' ')}`;
    const { plan, lifetime, sumo } = input;
    const email = sessionEmail(
      'not_active',
      input,
      { from: mail.from, templateAlias: mail.notActiveTemplate },
      ({ name }) => ({ name, plan, reason, lifetime, sumo }) satisfies PurchaseNotActiveModel,
    );
    const sent: OnceEmailResult = await sendEmailOnce(db, postmark, email, mail);
    return { messageId: sent.messageId, skipped: null };
  };
}
