import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createCheckoutStatus, type CheckoutStatus, type CheckoutStatusDeps } from '../ingest/checkout-status';
import { LedgerUnavailableError } from '../ingest/accept-event';
import { StripeUnavailableError } from '../ingest/find-session-event';
import { createSessionWatch } from '../ingest/session-watch';
import { limitConcurrency } from './concurrency-limit';
import { TemporalUnavailableError } from '../temporal/start-fulfillment';
import { HttpError } from './http-error';
import { createRateLimit } from './rate-limit';

/** The longest long-poll a landing page may ask for (`?wait=`), in seconds. */
export const MAX_WAIT_SECONDS = 20;
/** Status reads running at once, whatever the number of polls: the API's pool is the webhook's first. */
const READS_AT_ONCE = 2;

export interface CheckoutStatusRouteDeps extends CheckoutStatusDeps {
  /** Origins whose pages may call it from a browser (CHECKOUT_STATUS_CORS_ORIGINS). */
  corsOrigins: string[];
  /** Requests per minute per client address (CHECKOUT_STATUS_RATE_LIMIT). */
  ratePerMinute: number;
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
  const checkoutStatus = limitConcurrency(READS_AT_ONCE, createCheckoutStatus(deps));
  // Waiting polls share one ledger query per tick (src/ingest/session-watch.ts).
  const watch = createSessionWatch(deps.db, async (id) => (await checkoutStatus(id))?.status !== 'pending');
  const limit = createRateLimit(deps.ratePerMinute);
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

  app.options('/checkout/sessions/:id', async (request, reply) => {
    allowCors(request, reply);
    return reply.header('Access-Control-Allow-Methods', 'GET').header('Access-Control-Max-Age', '600').status(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>('/checkout/sessions/:id', async (request, reply) => {
    allowCors(request, reply);
    const allowance = limit.take(request.ip);
    if (!allowance.allowed) {
      reply.header('Retry-After', String(allowance.retryAfterSeconds));
      throw new HttpError(
        429,
        'rate_limited',
        `at most ${deps.ratePerMinute} requests a minute; try again in ${allowance.retryAfterSeconds} s`,
      );
    }
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
  });
}

async function read(checkoutStatus: (id: string) => Promise<CheckoutStatus | null>, sessionId: string): Promise<CheckoutStatus | null> {
  try {
    return await checkoutStatus(sessionId);
  } catch (err) {
    if (err instanceof StripeUnavailableError) throw new HttpError(503, 'stripe_unavailable', err.message, { cause: err });
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
