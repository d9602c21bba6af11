import type { PurchaseConfirmationModel } from '../../src/emails';
import type { ActivityDeps } from '../deps';
import { sendEmailOnce, sessionEmail, type OnceEmailResult } from './send-once';

/** What was bought, as the workflow resolved it (the email's model but the buyer's name, which is
 *  read with the send's claim, as is the address). */
export interface SendPurchaseConfirmationInput extends Omit<PurchaseConfirmationModel, 'name'> {
  eventId: string;
  userId: string;
  /** One confirmation per purchase: the checkout session is the purchase. */
  checkoutSessionId: string;
}

export type PurchaseConfirmationResult = OnceEmailResult;

/**
 * Confirms a purchase to a buyer who already had an account (a new one gets the welcome instead,
 * as Sumo's partner guide asks), at most once per checkout session (see sendEmailOnce).
 */
export function createSendPurchaseConfirmation({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendPurchaseConfirmation(input: SendPurchaseConfirmationInput): Promise<PurchaseConfirmationResult> {
    const { plan, licences, seats, addons, lifetime, sumo } = input;
    const email = sessionEmail(
      'confirmation',
      input,
      { from: mail.from, templateAlias: mail.confirmationTemplate },
      ({ name }) => ({ name, plan, licences, seats, addons, lifetime, sumo }) satisfies PurchaseConfirmationModel,
    );
    return sendEmailOnce(db, postmark, email, mail);
  };
}
