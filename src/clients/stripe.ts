import Stripe from 'stripe';

/**
 * The Stripe API client. `apiBase` lets tests and local runs point it at stripe-mock. A call and its
 * two retries (8 s each, with backoff) end within a step's 30 s start-to-close.
 */
export function createStripeClient(secretKey: string, apiBase: string): Stripe {
  const base = new URL(apiBase);
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    host: base.hostname,
    port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
    protocol,
    maxNetworkRetries: 2,
    timeout: 8_000,
    appInfo: { name: 'stripe-fulfillment' },
  });
}
