import type Stripe from 'stripe';
import type { PrismaClient } from '../generated/prisma/client';
import { recordDelivery } from '../db/event-ledger';
import { routeEvent } from '../stripe/event-router';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';

export interface IngestDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
}

export type AcceptOutcome =
  { outcome: 'ignored'; reason: string } | { outcome: 'started' | 'duplicate'; workflowId: string; workflowType: string };

/** The database could not record the event: the caller must not acknowledge it. */
export class LedgerUnavailableError extends Error {}

/**
 * One verified Stripe event → its workflow, started at most once. The path of the webhook and
 * `ops replay` (reconciliation has its own, which counts no delivery: reconcile.ts): the ledger
 * row first (so a completed or cancelled event is a duplicate even after Temporal forgot it; the
 * row cannot follow the start, see docs/RELIABILITY.md), then the start with workflow id = event id.
 * Throws LedgerUnavailableError or TemporalUnavailableError when a dependency is down.
 */
export async function acceptEvent(deps: IngestDeps, event: Stripe.Event): Promise<AcceptOutcome> {
  const decision = routeEvent(event);
  if (decision.action === 'ignore') return { outcome: 'ignored', reason: decision.reason };
  const status = await recordDelivery(deps.db, event).catch((err: unknown) => {
    throw new LedgerUnavailableError('could not record the event', { cause: err });
  });
  const workflowType = decision.start.workflowType;
  // Completed, or cancelled by an operator: handled for good (only `ops retry` reopens it).
  if (status === 'completed' || status === 'cancelled') return { outcome: 'duplicate', workflowId: event.id, workflowType };
  const started = await deps.fulfillments.start(decision.start);
  return { outcome: started.duplicate ? 'duplicate' : 'started', workflowId: started.workflowId, workflowType };
}
