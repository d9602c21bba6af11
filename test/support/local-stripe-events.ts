import { perFile } from './per-file';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';

/**
 * A local stand-in for Stripe's Events API (`GET /v1/events`, `GET /v1/events/:id`), its Checkout
 * Sessions (`GET /v1/checkout/sessions/:id` and their line items) in the real wire format, holding
 * what a test adds. stripe-mock answers every list with the same fixture and every id with the
 * same session, so reconciliation and landing-page tests need this to control what "Stripe" has —
 * e.g. an event Stripe holds but never delivered to the webhook.
 */
export interface LocalStripeEvents {
  url: string;
  add(...events: Stripe.Event[]): void;
  /** A Checkout Session `GET /v1/checkout/sessions/:id` answers (in `account` when given: with its Stripe-Account header only). */
  addSession(session: Stripe.Checkout.Session | object, account?: string): void;
  /** Adds v2 events (`GET /v2/core/events`), e.g. Stripe's event-generation-failure alerts. */
  addV2(...events: LocalV2Event[]): void;
  /** What `GET /v1/checkout/sessions/:id/line_items` answers for a session. */
  setLineItems(sessionId: string, items: Array<{ priceId: string; lookupKey?: string | null; quantity: number }>): void;
  /** From now on, answer event listings as Stripe answers a restricted key without Events read (403). */
  denyEvents(): void;
  /** From now on, answer every request after this long (a slow Stripe); 0: at once. */
  answerAfter(ms: number): void;
  /** Request paths, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A v2 event as Stripe's v2 Events API returns it (`object: 'v2.core.event'`, RFC 3339 `created`). */
export interface LocalV2Event {
  id: string;
  object: 'v2.core.event';
  type: string;
  created: string;
  context?: string | null;
  data?: unknown;
}

export async function startLocalStripeEvents(): Promise<LocalStripeEvents> {
  const events: Stripe.Event[] = [];
  const v2Events: LocalV2Event[] = [];
  const lineItems = new Map<string, object[]>();
  const sessions = new Map<string, { session: { id: string }; account: string | null }>();
  const requests: string[] = [];
  let eventsDenied = false;
  let answerAfterMs = 0;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (answerAfterMs > 0) setTimeout(() => answer(req, res), answerAfterMs);
    else answer(req, res);
  });
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (eventsDenied && req.method === 'GET' && (req.url ?? '').startsWith('/v1/events')) {
      return send(res, 403, {
        error: {
          type: 'invalid_request_error',
          message:
            "The provided key 'rk_test_***local' does not have the required permissions for this endpoint on account 'acct_local'. Having the 'rak_event_read' permission would allow this request to continue.",
        },
      });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/v2/core/events') {
      const types = url.searchParams.getAll('types');
      const data = v2Events.filter((e) => types.length === 0 || types.includes(e.type)).sort((a, b) => (a.created < b.created ? 1 : -1));
      return send(res, 200, { data, next_page_url: null, previous_page_url: null });
    }
    handle(req, res, { events, lineItems, sessions });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add: (...added) => events.push(...added),
    addSession: (session, account) =>
      sessions.set((session as { id: string }).id, { session: session as { id: string }, account: account ?? null }),
    addV2: (...added) => v2Events.push(...added),
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
    answerAfter: (ms) => {
      answerAfterMs = ms;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Held {
  events: Stripe.Event[];
  lineItems: Map<string, object[]>;
  sessions: Map<string, { session: { id: string }; account: string | null }>;
}

const noSuchSession = (id: string) => ({
  error: { type: 'invalid_request_error', code: 'resource_missing', param: 'session', message: `No such checkout.session: '${id}'` },
});

function handle(req: IncomingMessage, res: ServerResponse, { events, lineItems, sessions }: Held): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!/^Bearer sk_/.test(req.headers.authorization ?? '')) {
    return send(res, 401, { error: { type: 'invalid_request_error', message: 'You did not provide an API key.' } });
  }
  const items = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(url.pathname);
  if (req.method === 'GET' && items) {
    const data = lineItems.get(decodeURIComponent(items[1]));
    return data ? send(res, 200, { object: 'list', url: url.pathname, has_more: false, data }) : send(res, 404, noSuchSession(items[1]));
  }
  // As Stripe does: without a Stripe-Account header, the platform's own events; with one, that
  // connected account's (an event delivered to a Connect endpoint carries `account`).
  const account = req.headers['stripe-account'] ?? null;
  const session = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && session) {
    const sessionId = decodeURIComponent(session[1]);
    const held = sessions.get(sessionId);
    return held && held.account === account ? send(res, 200, held.session) : send(res, 404, noSuchSession(sessionId));
  }
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
    const lte = Number(params.get('created[lte]') ?? Infinity);
    const limit = Math.min(Number(params.get('limit') ?? 10), 100);
    const matching = visible
      .filter((e) => (types.length === 0 || types.includes(e.type)) && e.created >= gte && e.created <= lte)
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

/** The test file's local Stripe Events API, started before its tests and closed after them. */
export function useLocalStripeEvents(): LocalStripeEvents {
  return perFile('the local Stripe Events API', startLocalStripeEvents, (api) => api.close());
}
