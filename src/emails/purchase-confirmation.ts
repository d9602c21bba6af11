import { htmlLayout, type EmailTemplate } from './template';

/** What the purchase confirmation needs: sent once per purchase to a buyer who already had an account. */
export interface PurchaseConfirmationModel {
  name: string;
  /** The plan's display name from the catalogue. */
  plan: string;
  /** Licences (Sumo codes) or subscription quantity bought. */
  licences: number;
  /** Seats the purchase gives (tier seats × licences). */
  seats: number;
  /** Add-on ids bought with it. */
  addons: string[];
  /** A one-time (lifetime) purchase; otherwise a subscription. */
  lifetime: boolean;
  /** Bought through Sumo rather than directly. */
  sumo: boolean;
}

export const purchaseConfirmationTemplate: EmailTemplate<PurchaseConfirmationModel> = {
  key: 'confirmation',
  name: 'Purchase confirmation (existing account)',
  subject: 'Your {{plan}} purchase is active',
  htmlBody: htmlLayout(
    'Purchase confirmation',
    `<h1 style="font-size:22px;margin:0 0 16px">Thanks{{#name}}, {{.}}{{/name}}: it is added to your account</h1>
<p>What you bought{{#sumo}} on Sumo{{/sumo}} is active on the account you already have; sign in as usual.</p>
<table style="width:100%;border-collapse:collapse;margin:16px 0">
<tr><td style="padding:6px 0;color:#616e7c">Plan</td><td style="padding:6px 0;text-align:right"><strong>{{plan}}</strong></td></tr>
<tr><td style="padding:6px 0;color:#616e7c">Licences</td><td style="padding:6px 0;text-align:right">{{licences}}</td></tr>
<tr><td style="padding:6px 0;color:#616e7c">Seats</td><td style="padding:6px 0;text-align:right">{{seats}}</td></tr>
{{#each addons}}<tr><td style="padding:6px 0;color:#616e7c">Add-on</td><td style="padding:6px 0;text-align:right">{{.}}</td></tr>{{/each}}
<tr><td style="padding:6px 0;color:#616e7c">Term</td><td style="padding:6px 0;text-align:right">{{#lifetime}}Lifetime (one-time payment){{/lifetime}}{{^lifetime}}Subscription, renews automatically{{/lifetime}}</td></tr>
</table>
<p style="color:#616e7c;font-size:13px;margin-top:32px">You received this because this address bought it at checkout.</p>`,
  ),
  textBody: `Thanks{{#name}}, {{.}}{{/name}}: it is added to your account.

What you bought{{#sumo}} on Sumo{{/sumo}} is active on the account you already have; sign in as usual.

Plan:     {{plan}}
Licences: {{licences}}
Seats:    {{seats}}
{{#each addons}}Add-on:   {{.}}
{{/each}}Term:     {{#lifetime}}Lifetime (one-time payment){{/lifetime}}{{^lifetime}}Subscription, renews automatically{{/lifetime}}

You received this because this address bought it at checkout.
`,
  example: { name: 'Ada Lovelace', plan: 'Pro', licences: 2, seats: 10, addons: ['priority-support'], lifetime: true, sumo: true },
};
