/**
 * An example receiver of access events (docs/integration.md): what the product runs at
 * APP_WEBHOOK_URL. Node built-ins only, so it can be copied as it is; `npm run dev` runs it and
 * prints what it gets, and test/unit/docs/access-receiver.test.ts runs it against real signatures.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** Refuse a signature older than this: a captured request cannot be replayed later. */
const TOLERANCE_SECONDS = 300;

/** `Access-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, against each secret (rolling). */
export function verifyAccessSignature(rawBody: string, header: string | undefined, secrets: string[], now = Date.now()): boolean {
  const parts = new Map((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > TOLERANCE_SECONDS || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const given = Buffer.from(v1, 'hex');
  return secrets.some((secret) => timingSafeEqual(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest(), given));
}

/** What an event says (the full shape: src/contracts/access.ts). */
export interface AccessEvent {
  id: string;
  type: 'access.updated';
  created: number;
  reason: 'granted' | 'changed' | 'grace_started' | 'suspended' | 'restored' | 'revoked';
  user: { id: string; email: string };
  access: {
    active: boolean;
    features: string[];
    seats: number;
    items: Array<{
      kind: 'subscription' | 'purchase';
      id: string;
      plan: string | null;
      source: 'sumo' | 'direct' | null;
      term: 'lifetime' | 'renewing';
      state: 'active' | 'grace' | 'suspended' | 'revoked';
      graceUntil: string | null;
      licences: number;
      seats: number;
      features: string[];
    }>;
  };
}

/** What the product keeps per user: here in memory; in a product, a table (the event id unique). */
export interface ProductUser {
  serviceUserId: string;
  email: string;
  access: AccessEvent['access'];
  /** The `created` of the event the access came from: an older event never overwrites it. */
  asOf: number;
}

/**
 * An HTTP server that verifies each event, answers 2xx once it is applied, applies each event id
 * once, and keeps the newest access per user (every event is the user's whole access: no merging).
 */
export function createAccessReceiver(options: { secrets: string[]; onEvent?: (event: AccessEvent, applied: boolean) => void }) {
  const seen = new Set<string>();
  const users = new Map<string, ProductUser>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || !verifyAccessSignature(raw, req.headers['access-signature'] as string | undefined, options.secrets)) {
        res.writeHead(400).end('bad signature');
        return;
      }
      const event = JSON.parse(raw) as AccessEvent;
      // At least once: a redelivered id is acknowledged and not applied again.
      const fresh = !seen.has(event.id);
      const current = users.get(event.user.id);
      const applied = fresh && (!current || event.created >= current.asOf);
      if (applied) {
        // Match the product's user by our user id once known (pass it back as client_reference_id), else by email.
        users.set(event.user.id, { serviceUserId: event.user.id, email: event.user.email, access: event.access, asOf: event.created });
      }
      seen.add(event.id);
      options.onEvent?.(event, applied);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  return { server, users, seen };
}
