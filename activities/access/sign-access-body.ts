import { createHmac } from 'node:crypto';

/**
 * The `Access-Signature` header of a body, signed as Stripe signs its webhooks:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The receiver recomputes it over
 * the raw body it got and refuses a stale `t` (docs/integration.md, docs/examples/access-receiver.ts).
 */
export function signAccessBody(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
