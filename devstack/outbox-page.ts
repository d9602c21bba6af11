import type { SentMessage } from './local-postmark-wire';
import { escapeHtml } from './mustachio';

type Shown = Omit<SentMessage, 'serverToken'>;

/**
 * The local Postmark's outbox as a browser page, newest first: each email as its recipient
 * would see it (the rendered HTML in a sandboxed frame, no scripts), with its subject, sender,
 * tag and time, and the plain-text part below. Reload the page to see newer emails.
 */
export function outboxPage(messages: Shown[]): string {
  const cards = [...messages].reverse().map(card).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local outbox (${messages.length})</title>
<style>
  body { margin: 0; padding: 24px; font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, sans-serif; background: #e9ecef; color: #1f2933; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .hint { color: #616e7c; margin: 0 0 20px; font-size: 14px; }
  .email { background: #fff; border-radius: 8px; margin: 0 0 24px; box-shadow: 0 1px 3px rgba(0,0,0,.12); max-width: 760px; }
  .head { padding: 14px 18px; border-bottom: 1px solid #e4e7eb; font-size: 14px; }
  .head .subject { font-size: 17px; font-weight: 600; margin-bottom: 6px; }
  .head .meta { color: #616e7c; }
  .tag { display: inline-block; background: #e0e8f9; color: #35469c; border-radius: 10px; padding: 1px 8px; font-size: 12px; margin-left: 6px; }
  iframe { width: 100%; height: 540px; border: 0; display: block; }
  details { padding: 10px 18px 14px; font-size: 13px; color: #616e7c; }
  pre { white-space: pre-wrap; font-size: 13px; color: #1f2933; }
</style>
</head>
<body>
<h1>Local outbox</h1>
<p class="hint">${messages.length} email(s) the service sent to the local Postmark, newest first, as the buyer sees them (<code>curl</code> this address for JSON).</p>
${cards || '<p>No email sent yet. Try <code>npm run simulate -- sumo</code>.</p>'}
</body>
</html>`;
}

function card(message: Shown): string {
  const html = message.htmlBody ?? `<pre>${escapeHtml(message.textBody ?? '')}</pre>`;
  return `<article class="email" data-message-id="${escapeHtml(message.messageId)}">
  <div class="head">
    <div class="subject">${escapeHtml(message.subject ?? '(no subject)')}${message.tag ? `<span class="tag">${escapeHtml(message.tag)}</span>` : ''}</div>
    <div class="meta">From ${escapeHtml(message.from)} · To ${escapeHtml(message.to)} · ${escapeHtml(message.submittedAt)}${
      message.templateAlias ? ` · template <code>${escapeHtml(message.templateAlias)}</code>` : ''
    }</div>
  </div>
  <iframe sandbox title="${escapeHtml(message.subject ?? 'email')}" srcdoc="${escapeHtml(html)}"></iframe>
  ${message.textBody ? `<details><summary>Plain-text part</summary><pre>${escapeHtml(message.textBody)}</pre></details>` : ''}
</article>`;
}
