import { htmlLayout, type EmailTemplate } from './template';

/** What the welcome email needs: sent once to a buyer whose first purchase created their account. */
export interface WelcomeModel {
  /** The buyer's name as Stripe or Sumo gave it; empty when unknown. */
  name: string;
  /** The address they sign in with. */
  email: string;
}

export const welcomeTemplate: EmailTemplate<WelcomeModel> = {
  key: 'welcome',
  name: 'Welcome (new account)',
  subject: 'Welcome aboard{{#name}}, {{.}}{{/name}}',
  htmlBody: htmlLayout(
    'Welcome',
    `<h1 style="font-size:22px;margin:0 0 16px">Welcome{{#name}}, {{.}}{{/name}}!</h1>
<p>Your account is ready and your purchase is active.</p>
<p>Sign in with <strong>{{email}}</strong>: we will send a sign-in link to that address, no password needed.</p>
<p style="color:#616e7c;font-size:13px;margin-top:32px">You received this because this address was used at checkout.</p>`,
  ),
  textBody: `Welcome{{#name}}, {{.}}{{/name}}!

Your account is ready and your purchase is active.
Sign in with {{email}}: we will send a sign-in link to that address, no password needed.

You received this because this address was used at checkout.
`,
  example: { name: 'Ada Lovelace', email: 'ada@example.com' },
};
