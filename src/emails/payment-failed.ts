import { htmlLayout, type EmailTemplate } from './template';

/** What the payment-failed email needs: sent once per failed invoice while the subscription is unpaid. */
export interface PaymentFailedModel {
  name: string;
  plan: string;
  /** The amount due in the currency's major unit (`49.00`, `4900` for JPY, `12.340` for KWD, `50000` for IDR 5000000; src/stripe/money.ts). */
  amount_due: string;
  /** The amount due as a reader expects it (`$49.00`, `¥4,900`, `IDR 50,000`). */
  amount_due_formatted: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** Stripe's hosted invoice page, where the buyer can pay; empty when Stripe gave none. */
  invoice_url: string;
  /** The day of Stripe's next attempt, as people write it (`9 December 2026`, src/emails/email-date.ts); empty when there is none. */
  next_payment_attempt: string;
}

export const paymentFailedTemplate: EmailTemplate<PaymentFailedModel> = {
  key: 'paymentFailed',
  name: 'Payment failed',
  subject: 'Your {{plan}} payment did not go through',
  htmlBody: htmlLayout(
    'Payment failed',
    `<h1 style="font-size:22px;margin:0 0 16px">Your payment did not go through</h1>
<p>Hi{{#name}} {{.}}{{/name}}, we could not collect <strong>{{amount_due_formatted}}</strong> ({{currency}}) for your {{plan}} subscription.</p>
{{#invoice_url}}<p><a href="{{.}}" style="display:inline-block;background:#3e63dd;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">Update payment and pay</a></p>{{/invoice_url}}
{{#next_payment_attempt}}<p>We will try again on {{.}}.</p>{{/next_payment_attempt}}
<p>Your access continues for a few days while this is sorted out.</p>`,
  ),
  textBody: `Your payment did not go through

Hi{{#name}} {{.}}{{/name}}, we could not collect {{amount_due_formatted}} ({{currency}}) for your {{plan}} subscription.
{{#invoice_url}}
Update your payment and pay: {{.}}
{{/invoice_url}}{{#next_payment_attempt}}
We will try again on {{.}}.
{{/next_payment_attempt}}
Your access continues for a few days while this is sorted out.
`,
  example: {
    name: 'Ada Lovelace',
    plan: 'Pro',
    amount_due: '49.00',
    amount_due_formatted: '$49.00',
    currency: 'USD',
    invoice_url: 'https://invoice.stripe.com/i/acct_example/inv_example',
    next_payment_attempt: '9 December 2026',
  },
};
