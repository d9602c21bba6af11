import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createCheckoutStatus, type CheckoutStatus, type CheckoutStatusDeps } from '../ingest/checkout-status';
import { LedgerUnavailableError } from '../ingest/accept-event';
import { StripeUnavailableError } from '../ingest/find-session-event';
import { createSessionWatch } from '../ingest/session-watch';
import { LookupsBusyError } from '../ingest/stripe-lookups';
import { OverloadedError } from '../ingest/concurrency-limit';
import { TemporalUnavailableError } from '../temporal/start-fulfillment';
import { HttpError } from './http-error';
import rateLimit from '@fastify/rate-limit';

/** The longest long-poll a landing page may ask for (`?wait=`), in seconds. */
export const MAX_WAIT_SECONDS = 20;

export interface CheckoutStatusRouteDeps extends CheckoutStatusDeps {
  /** Origins whose pages may call it from a browser (CHECKOUT_STATUS_CORS_ORIGINS). */
  corsOrigins: string[];
  /** Requests per minute per client address (CHECKOUT_STATUS_RATE_LIMIT). */
  ratePerMinute: number;
  /** Whether the client's address comes from X-Forwarded-For (TRUST_PROXY_HOPS > 0). */
  trustsProxies?: boolean;
}

const SESSION_ID = /^cs_(test|live)_[A-Za-z0-9]{1,200}$/;

/**
 * GET /checkout/sessions/:id?wait=N — for the page Stripe Checkout returns the buyer to
 * (`success_url=…?session_id={CHECKOUT_SESSION_ID}`): `fulfilled`, `pending`, `needs_attention`,
 * `payment_failed` or `no_access` (src/ingest/checkout-status.ts), with the plan and seats once
 * fulfilled; 404 for a session neither the service nor Stripe knows.
 * With `wait`, answers as soon as the status is no longer `pending`, or after N seconds. A paid
 * session whose webhook has not arrived is fulfilled from here (src/ingest/checkout-status.ts).
 */
export async function checkoutStatusRoute(app: FastifyInstance, deps: CheckoutStatusRouteDeps): Promise<void> {
  const checkoutStatus = createCheckoutStatus(deps);
  // Waiting polls share one ledger query per tick (src/ingest/session-watch.ts).
  const watch = createSessionWatch(deps.db, async (id) => (await checkoutStatus(id))?.status !== 'pending');
  // A closing server ends its long polls at once instead of waiting out their N seconds.
  const closing = new AbortController();
  app.addHook('onClose', async () => {
    closing.abort();
    watch.close();
  });

  const allowCors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin && deps.corsOrigins.includes(origin)) reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
  };

  // Per client address (TRUST_PROXY_HOPS says which), a minute's window in a bounded in-memory
  // cache, per replica: @fastify/rate-limit can take a Redis store when replicas must share one.
  await app.register(rateLimit, {
    global: false,
    max: deps.ratePerMinute,
    timeWindow: 60_000,
    cache: 10_000,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `at most ${context.max} requests a minute; try again in ${context.after}`),
  });

  app.options('/checkout/sessions/:id', async (request, reply) => {
    allowCors(request, reply);
    return reply.header('Access-Control-Allow-Methods', 'GET').header('Access-Control-Max-Age', '600').status(204).send();
  });

  // With TRUST_PROXY_HOPS=0 the client's address is the connection's: behind a load balancer every
  // buyer would share the balancer's one rate-limit bucket. Said once, at the first request that shows it.
  let warned = deps.trustsProxies === true;
  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>(
    '/checkout/sessions/:id',
    { config: { rateLimit: {} } },
    async (request, reply) => {
      if (!warned && request.headers['x-forwarded-for'] !== undefined) {
        warned = true;
        request.log.warn(
          'requests carry X-Forwarded-For but TRUST_PROXY_HOPS is 0: every buyer behind the proxy shares one address and one rate limit; set TRUST_PROXY_HOPS to the number of proxies in front of the API',
        );
      }
      allowCors(request, reply);
      const waitSeconds = parseWait(request.query.wait);
      const sessionId = request.params.id;
      if (!SESSION_ID.test(sessionId)) throw notFound();
      reply.header('Cache-Control', 'no-store');

      const deadline = Date.now() + waitSeconds * 1000;
      for (;;) {
        const status = await read(checkoutStatus, sessionId);
        if (!status) throw notFound();
        if (status.status !== 'pending' || Date.now() >= deadline || closing.signal.aborted) return status;
        await watch.until(sessionId, deadline, closing.signal);
      }
    },
  );
}

async function read(checkoutStatus: (id: string) => Promise<CheckoutStatus | null>, sessionId: string): Promise<CheckoutStatus | null> {
  try {
    return await checkoutStatus(sessionId);
  } catch (err) {
    if (err instanceof StripeUnavailableError) throw new HttpError(503, 'stripe_unavailable', err.message, { cause: err });
    if (err instanceof LookupsBusyError || err instanceof OverloadedError)
      throw new HttpError(503, 'busy', err.message, { cause: err, retryAfterSeconds: err.retryAfterSeconds });
    if (err instanceof TemporalUnavailableError) throw new HttpError(503, 'temporal_unavailable', err.message, { cause: err });
    if (err instanceof LedgerUnavailableError) throw new HttpError(503, 'database_unavailable', err.message, { cause: err });
    throw err;
  }
}

function parseWait(wait: string | undefined): number {
  if (wait === undefined || wait === '') return 0;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new HttpError(400, 'bad_wait', `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return seconds;
}

const notFound = () => new HttpError(404, 'not_found', 'no such checkout session');
