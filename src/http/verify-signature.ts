import Stripe from 'stripe';
import { HttpError } from './http-error';

/** Stripe's default: a signed timestamp older than 5 minutes is refused (replay protection). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Verifies the `Stripe-Signature` header over the raw request bytes against every
 * configured secret (several while a secret is being rolled), then parses the event.
 */
export function verifyStripeEvent(rawBody: Buffer, header: string | string[] | undefined, secrets: string[]): Stripe.Event {
  if (!header) throw new HttpError(400, 'missing_signature', 'Stripe-Signature header is missing');
  const signature = Array.isArray(header) ? header[0] : header;

  let stale = false;
  const verified = secrets.some((secret) => {
    try {
      return Stripe.webhooks.signature!.verifyHeader(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError && /tolerance/i.test(err.message)) stale = true;
      return false;
    }
  });
  if (!verified) {
    throw stale
      ? new HttpError(400, 'stale_signature', `signature timestamp is older than ${SIGNATURE_TOLERANCE_SECONDS} s`)
      : new HttpError(400, 'invalid_signature', 'signature does not match the payload for any configured secret');
  }

  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not JSON');
  }
  if (!isEvent(event)) throw new HttpError(400, 'invalid_event', 'body is not a Stripe event (id, type, data.object)');
  return event;
}

function isEvent(value: unknown): value is Stripe.Event {
  const v = value as Partial<Stripe.Event> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null &&
    typeof v.data.object === 'object' &&
    v.data.object !== null &&
    !Array.isArray(v.data.object)
  );
}
