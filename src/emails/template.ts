/**
 * An email the service sends, as code: Postmark renders `subject`, `htmlBody` and `textBody`
 * (Mustachio: `{{field}}`, `{{#flag}}…{{/flag}}`, `{{^flag}}…{{/flag}}`, `{{#each list}}{{.}}{{/each}}`)
 * with the model an activity builds; `example` is a model the outbox page and tests render.
 * `npm run ops -- emails push` creates or updates each in Postmark under its configured alias.
 */
export interface EmailTemplate<Model extends object> {
  /** Which email this is; its alias is configured (see `TemplateAliases`). */
  key: TemplateKey;
  /** The name Postmark's UI shows. */
  name: string;
  subject: string;
  htmlBody: string;
  textBody: string;
  example: Model;
}

export type TemplateKey = 'welcome' | 'confirmation' | 'notActive' | 'paymentFailed';

/** The Postmark alias each template is sent and pushed under (POSTMARK_*_TEMPLATE). */
export type TemplateAliases = Record<TemplateKey, string>;

export const DEFAULT_TEMPLATE_ALIASES: TemplateAliases = {
  welcome: 'welcome',
  confirmation: 'purchase-confirmation',
  notActive: 'purchase-not-active',
  paymentFailed: 'payment-failed',
};

/** The HTML every template shares: one narrow column, system fonts, no images or tracking. */
export function htmlLayout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;color:#1f2933">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px;line-height:1.5">
${body}
</div>
</body>
</html>`;
}
