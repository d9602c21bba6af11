import { signPayload } from '../../../devstack/sample-events';

/** What became of one event's deliveries. */
export interface DeliveryOutcome {
  eventId: string;
  /** A 200 came back (to some attempt). */
  acknowledged: boolean;
  attempts: number;
}

export interface DeliveryOptions {
  url: string;
  secret: string;
  /** Stripe gives up on an attempt it has no answer to after a while; so do we (ms). */
  requestTimeoutMs?: number;
  /** Redeliveries stop after this long (Stripe goes on for three days; a suite cannot). */
  giveUpAfterMs?: number;
  /** Told of every attempt once it ended: when it was sent, how long the answer took, and its status (null: none came). */
  onAnswer?: (answer: WebhookAnswer) => void;
}

/** One delivery attempt as the sender saw it. */
export interface WebhookAnswer {
  eventId: string;
  sentAt: number;
  ms: number;
  status: number | null;
}

/**
 * Delivers one event as Stripe does: POST the signed body (signed afresh for every attempt);
 * anything but a 200 — an error status, a dropped connection, no answer in time — is delivered
 * again with backoff (0.25 s doubling to 4 s here; hours at Stripe), until acknowledged or given up.
 */
export async function deliverLikeStripe(event: { id: string }, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const body = JSON.stringify(event);
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 180_000);
  let backoff = 250;
  for (let attempts = 1; ; attempts++) {
    const sentAt = Date.now();
    let status: number | null = null;
    try {
      const response = await fetch(`${options.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(body, options.secret) },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      // refused, reset or timed out: unanswered, so delivered again
    }
    options.onAnswer?.({ eventId: event.id, sentAt, ms: Date.now() - sentAt, status });
    if (status === 200) return { eventId: event.id, acknowledged: true, attempts };
    if (Date.now() + backoff > giveUpAt) return { eventId: event.id, acknowledged: false, attempts };
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 4_000);
  }
}

/** Delivers every event with at most `concurrency` requests in flight (Stripe sends in parallel). */
export async function deliverAll(
  events: { id: string }[],
  options: DeliveryOptions & { concurrency?: number },
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = new Array(events.length);
  let next = 0;
  const lane = async () => {
    while (next < events.length) {
      const i = next++;
      outcomes[i] = await deliverLikeStripe(events[i], options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, events.length) }, lane));
  return outcomes;
}
