import { log } from '@temporalio/activity';
import type { InvoiceFacts } from '../../src/contracts';
import type { ActivityDeps } from '../deps';
import { sendEmailOnce } from './send-once';

export interface SendPaymentFailedEmailInput {
  eventId: string;
  stripeSubscriptionId: string;
  invoice: InvoiceFacts;
}

export interface PaymentFailedEmailResult {
  messageId: string | null;
  /** Why no email went out, when none did. */
  skipped: string | null;
}

/** Statuses in which a "payment failed" email still tells the customer something true. */
const UNPAID_STATUSES = new Set(['past_due', 'unpaid', 'incomplete']);

/**
 * Tells the customer their payment failed, at most once per invoice. Skipped when the
 * subscription's newest state says the matter is settled (paid since, or canceled): a late
 * `invoice.payment_failed` must not dun a customer who has paid.
 */
export function createSendPaymentFailedEmail({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendPaymentFailedEmail({
    eventId,
    stripeSubscriptionId,
    invoice,
  }: SendPaymentFailedEmailInput): Promise<PaymentFailedEmailResult> {
    const subscription = await db.subscription.findUnique({
      where: { stripeSubscriptionId },
      select: { status: true, plan: true, user: { select: { id: true, email: true, name: true } } },
    });
    const status = subscription?.status ?? 'unknown';
    if (!UNPAID_STATUSES.has(status)) {
      log.info('payment failed email skipped', { stripeSubscriptionId, invoiceId: invoice.invoiceId, status });
      return { messageId: null, skipped: `subscription is ${status} now` };
    }
    const to = subscription?.user?.email ?? invoice.customerEmail;
    if (!to) {
      log.warn('payment failed email skipped: no linked user and no customer_email on the invoice', {
        stripeSubscriptionId,
        invoiceId: invoice.invoiceId,
      });
      return { messageId: null, skipped: 'no recipient' };
    }
    const sent = await sendEmailOnce(
      db,
      postmark,
      {
        dedupKey: `payment_failed:${invoice.invoiceId}`,
        kind: 'payment_failed',
        userId: subscription?.user?.id ?? null,
        eventId,
        from: mail.from,
        templateAlias: mail.paymentFailedTemplate,
        address: {
          to,
          templateModel: {
            name: subscription?.user?.name ?? '',
            plan: subscription?.plan ?? '',
            amount_due: (invoice.amountDue / 100).toFixed(2),
            currency: invoice.currency.toUpperCase(),
            invoice_url: invoice.hostedInvoiceUrl ?? '',
            next_payment_attempt: invoice.nextPaymentAttempt ? new Date(invoice.nextPaymentAttempt * 1000).toISOString() : '',
          },
        },
      },
      { searchSettleMs: mail.searchSettleMs },
    );
    return { messageId: sent.messageId, skipped: sent.sentBy === eventId ? null : `sent by event ${sent.sentBy}` };
  };
}
