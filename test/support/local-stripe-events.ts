import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';

/**
 * A local stand-in for Stripe's Events API (and a Checkout Session's line items) (`GET /v1/events`, `GET /v1/events/:id`) in the
 * real wire format, holding the events a test adds. stripe-mock answers every list with
 * the same fixture, so reconciliation tests need this to control which events "Stripe" has.
 */
export interface LocalStripeEvents {
  url: string;
  add(...events: Stripe.Event[]): void;
  /** What `GET /v1/checkout/sessions/:id/line_items` answers for a session. */
  setLineItems(sessionId: string, items: Array<{ priceId: string; lookupKey?: string | null; quantity: number }>): void;
  /** From now on, answer event listings as Stripe answers a restricted key without Events read (403). */
  denyEvents(): void;
  /** Request paths, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalStripeEvents(): Promise<LocalStripeEvents> {
  const events: Stripe.Event[] = [];
  const lineItems = new Map<string, object[]>();
  const requests: string[] = [];
  let eventsDenied = false;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (eventsDenied && req.method === 'GET' && (req.url ?? '').startsWith('/v1/events')) {
      return send(res, 403, {
        error: {
          type: 'invalid_request_error',
          message:
            "The provided key 'rk_test_***local' does not have the required permissions for this endpoint on account 'acct_local'. Having the 'rak_event_read' permission would allow this request to continue.",
        },
      });
    }
    handle(req, res, events, lineItems);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add: (...added) => events.push(...added),
    setLineItems: (sessionId, items) =>
      lineItems.set(
        sessionId,
        items.map((item, i) => ({
          id: `li_local_${i}`,
          object: 'item',
          amount_total: 4900 * item.quantity,
          currency: 'usd',
          description: item.priceId,
          price: {
            id: item.priceId,
            object: 'price',
            lookup_key: item.lookupKey ?? null,
            recurring: { interval: 'month' },
            type: 'recurring',
          },
          quantity: item.quantity,
        })),
      ),
    denyEvents: () => {
      eventsDenied = true;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, events: Stripe.Event[], lineItems: Map<string, object[]>): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!/^Bearer sk_/.test(req.headers.authorization ?? '')) {
    return send(res, 401, { error: { type: 'invalid_request_error', message: 'You did not provide an API key.' } });
  }
  const items = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(url.pathname);
  if (req.method === 'GET' && items) {
    const data = lineItems.get(decodeURIComponent(items[1]));
    return data
      ? send(res, 200, { object: 'list', url: url.pathname, has_more: false, data })
      : send(res, 404, {
          error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such checkout.session: '${items[1]}'` },
        });
  }
  // As Stripe does: without a Stripe-Account header, the platform's own events; with one, that
  // connected account's (an event delivered to a Connect endpoint carries `account`).
  const account = req.headers['stripe-account'] ?? null;
  const visible = events.filter((e) => (e.account ?? null) === account);
  const one = /^\/v1\/events\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && one) {
    const event = visible.find((e) => e.id === decodeURIComponent(one[1]));
    return event
      ? send(res, 200, event)
      : send(res, 404, {
          error: { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such event: '${one[1]}'` },
        });
  }
  if (req.method === 'GET' && url.pathname === '/v1/events') {
    const params = url.searchParams;
    const types = [...params.entries()].filter(([k]) => k === 'types[]' || /^types\[\d+\]$/.test(k) || k === 'type').map(([, v]) => v);
    const gte = Number(params.get('created[gte]') ?? 0);
    const limit = Math.min(Number(params.get('limit') ?? 10), 100);
    const matching = visible
      .filter((e) => (types.length === 0 || types.includes(e.type)) && e.created >= gte)
      .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1)); // newest first, as Stripe lists
    const after = params.get('starting_after');
    const start = after ? matching.findIndex((e) => e.id === after) + 1 : 0;
    const page = matching.slice(start, start + limit);
    return send(res, 200, { object: 'list', url: '/v1/events', has_more: start + limit < matching.length, data: page });
  }
  send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` } });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_local_${Date.now()}` });
  res.end(JSON.stringify(body));
}
