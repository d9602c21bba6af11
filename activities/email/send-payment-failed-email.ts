import { log } from '@temporalio/activity';
import type { InvoiceFacts } from '../../src/contracts';
import { emailDate, type PaymentFailedModel } from '../../src/emails';
import type { ActivityDeps } from '../deps';
import { sendEmailOnce } from './send-once';
import { formatStripeAmount } from '../../src/stripe/money';
import { latestInvoice, type StatusMark } from '../../src/lifecycle/subscription-state';

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
 * `invoice.payment_failed` must not dun a customer who has paid; and when the invoice is not the
 * subscription's latest (src/lifecycle/subscription-state.ts): only the latest invoice dunns.
 */
export function createSendPaymentFailedEmail({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendPaymentFailedEmail({
    eventId,
    stripeSubscriptionId,
    invoice,
  }: SendPaymentFailedEmailInput): Promise<PaymentFailedEmailResult> {
    const subscription = await db.subscription.findUnique({
      where: { stripeSubscriptionId },
      select: { status: true, plan: true, statusHistory: true, user: { select: { id: true, email: true, name: true } } },
    });
    const latest = latestInvoice((subscription?.statusHistory ?? []) as unknown as StatusMark[]);
    if (latest && latest.id !== invoice.invoiceId) {
      log.info('payment failed email skipped: not the latest invoice', { stripeSubscriptionId, invoiceId: invoice.invoiceId });
      return { messageId: null, skipped: `invoice ${invoice.invoiceId} is not the subscription's latest (${latest.id})` };
    }
    const status = subscription?.status ?? 'unknown';
    if (!UNPAID_STATUSES.has(status)) {
      log.info('payment failed email skipped', { stripeSubscriptionId, invoiceId: invoice.invoiceId, status });
      return { messageId: null, skipped: `subscription is ${status} now` };
    }
    const to = subscription?.user?.email ?? invoice.customerEmail;
    const due = formatStripeAmount(invoice.amountDue, invoice.currency);
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
            amount_due: due.amount,
            amount_due_formatted: due.formatted,
            currency: due.currency,
            invoice_url: invoice.hostedInvoiceUrl ?? '',
            next_payment_attempt: invoice.nextPaymentAttempt ? emailDate(invoice.nextPaymentAttempt) : '',
          } satisfies PaymentFailedModel,
        },
      },
      mail,
    );
    return { messageId: sent.messageId, skipped: sent.sentBy === eventId ? null : `sent by event ${sent.sentBy}` };
  };
}
