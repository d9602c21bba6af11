import { htmlLayout, type EmailTemplate } from './template';

/**
 * What the not-active email needs: sent once per checkout instead of the welcome or the purchase
 * confirmation when the checkout granted nothing (its subscription was cancelled, or the deal
 * refunded or disputed, before the checkout was processed). It never says the purchase is active.
 */
export interface PurchaseNotActiveModel {
  name: string;
  /** The plan's display name from the catalogue. */
  plan: string;
  /** Why nothing is active, as a clause: `the subscription was cancelled`, `the payment was refunded`. */
  reason: string;
  /** A one-time (lifetime) purchase; otherwise a subscription. */
  lifetime: boolean;
  /** Bought through Sumo rather than directly. */
  sumo: boolean;
}

export const purchaseNotActiveTemplate: EmailTemplate<PurchaseNotActiveModel> = {
  key: 'notActive',
  name: 'Purchase not active (nothing granted)',
  subject: 'Your {{plan}} purchase is not active',
  htmlBody: htmlLayout(
    'Purchase not active',
    `<h1 style="font-size:22px;margin:0 0 16px">Your {{plan}} purchase is not active</h1>
<p>Hi{{#name}} {{.}}{{/name}}, we received your {{#lifetime}}lifetime{{/lifetime}}{{^lifetime}}subscription{{/lifetime}} purchase of {{plan}}{{#sumo}} on Sumo{{/sumo}}, but it is not active: {{reason}}. No access was granted.</p>
<p>If you did not expect this, please contact our support and we will look into it.</p>
<p style="color:#616e7c;font-size:13px;margin-top:32px">You received this because this address was used at checkout.</p>`,
  ),
  textBody: `Your {{plan}} purchase is not active

Hi{{#name}} {{.}}{{/name}}, we received your {{#lifetime}}lifetime{{/lifetime}}{{^lifetime}}subscription{{/lifetime}} purchase of {{plan}}{{#sumo}} on Sumo{{/sumo}}, but it is not active: {{reason}}. No access was granted.

If you did not expect this, please contact our support and we will look into it.

You received this because this address was used at checkout.
`,
  example: { name: 'Ada Lovelace', plan: 'Pro', reason: 'the subscription was cancelled', lifetime: false, sumo: true },
};
