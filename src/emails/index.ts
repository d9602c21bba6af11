import { paymentFailedTemplate } from './payment-failed';
import { purchaseConfirmationTemplate } from './purchase-confirmation';
import { purchaseNotActiveTemplate } from './purchase-not-active';
import type { EmailTemplate, TemplateAliases, TemplateKey } from './template';
import { welcomeTemplate } from './welcome';

export type { PaymentFailedModel } from './payment-failed';
export type { PurchaseConfirmationModel } from './purchase-confirmation';
export type { PurchaseNotActiveModel } from './purchase-not-active';
export type { WelcomeModel } from './welcome';
export { emailDate } from './email-date';
export { DEFAULT_TEMPLATE_ALIASES, type EmailTemplate, type TemplateAliases, type TemplateKey } from './template';

/** Every template the service sends; the worker needs each of them in its Postmark server. */
export const EMAIL_TEMPLATES: ReadonlyArray<EmailTemplate<object>> = [
  welcomeTemplate,
  purchaseConfirmationTemplate,
  purchaseNotActiveTemplate,
  paymentFailedTemplate,
];

export const templateFor = (key: TemplateKey): EmailTemplate<object> => EMAIL_TEMPLATES.find((t) => t.key === key)!;

/** Each template with the alias it goes by in this configuration. */
export const withAliases = (aliases: TemplateAliases) => EMAIL_TEMPLATES.map((template) => ({ template, alias: aliases[template.key] }));
