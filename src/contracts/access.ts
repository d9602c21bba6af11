import { defineSignal } from '@temporalio/workflow';
import type { StepPolicy } from './step-policy';

/**
 * What the product is told about a user's access: the answer of `GET /access` and the `access`
 * of every `access.updated` event it receives (docs/integration.md). The same shape in both, so
 * an event is the check's answer right after the change it reports.
 */

/** active: has access; grace: has access until `graceUntil` (a failed payment); suspended: none
 *  for now, may come back (an open dispute, a paused subscription); revoked: none. */
export type AccessState = 'active' | 'grace' | 'suspended' | 'revoked';

/** One subscription or one-time purchase of the user, and what it gives now. */
export interface AccessItem {
  /** `subscription` (renewing) or `purchase` (a lifetime deal: paid once). */
  kind: 'subscription' | 'purchase';
  /** Stripe's id: `sub_…`, or the purchase's payment intent `pi_…` (its checkout session `cs_…` when it has none). */
  id: string;
  /** The tier's plan (config/catalog.json), e.g. `sumo-growth`. */
  plan: string | null;
  /** Sumo marketplace or our own checkout. */
  source: 'sumo' | 'direct' | null;
  /** `lifetime` (a one-time purchase) or `renewing` (a subscription). */
  term: 'lifetime' | 'renewing';
  state: AccessState;
  /** When the grace period ends (ISO 8601), while `state` is `grace`; else null. */
  graceUntil: string | null;
  /** Licences (codes) that count: a subscription's quantity, a purchase's codes not refunded. */
  licences: number;
  /** Seats it gives now (0 unless active or in grace). */
  seats: number;
  /** Features it gives now, sorted (none unless active or in grace). */
  features: string[];
}

export interface AccessSnapshot {
  /** Whether any item gives access (active or in grace). */
  active: boolean;
  /** The union of the items' features, sorted. */
  features: string[];
  /** The items' seats, added up. */
  seats: number;
  /** Every subscription and purchase of the user, subscriptions first, each kind by id. */
  items: AccessItem[];
}

/** Why an `access.updated` event was sent: what happened to the item that changed. */
export const ACCESS_REASONS = ['granted', 'changed', 'grace_started', 'suspended', 'restored', 'revoked'] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

/** The body POSTed to APP_WEBHOOK_URL, signed in `Access-Signature`. */
export interface AccessEventBody {
  /** `acc_…`: one per change, the same on every delivery of it. */
  id: string;
  type: 'access.updated';
  /** When the change was written, unix seconds: a user's later event never has an earlier one. */
  created: number;
  reason: AccessReason;
  user: { id: string; email: string };
  access: AccessSnapshot;
}

/** The header the product verifies (docs/integration.md): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const ACCESS_SIGNATURE_HEADER = 'Access-Signature';

/** Input of `deliverAccessEvents`: one run per user at a time drains that user's events in order. */
export interface AccessDeliveryInput {
  userId: string;
  /** How its deliveries retry and wait (src/contracts/step-policy.ts); absent: the defaults. */
  policy?: StepPolicy;
}

export interface AccessDeliverySummary {
  userId: string;
  /** Events this run delivered (or an operator skipped), in order; a run that handed on to a fresh one returns nothing. */
  delivered: string[];
}

/** The one delivery run of a user's events: started or woken (signal-with-start) after every change. */
export const accessDeliveryWorkflowId = (userId: string): string => `access-events-${userId}`;

/** "Look again: there may be new events." Sent with signal-with-start after a change is committed. */
export const accessWakeSignal = defineSignal('wake');

/** One outbox row as the delivery workflow sees it (no personal data: it is in the history). */
export interface PendingAccessEvent {
  id: string;
  reason: AccessReason;
}

/** What delivering one event did. */
export interface AccessDelivery {
  accessEventId: string;
  outcome: 'delivered' | 'already_delivered' | 'skipped';
  /** The product's HTTP status, when it was asked. */
  httpStatus: number | null;
}

/** Input of `sweepAccessEvents` (the `access-events-sweep` Schedule). */
export interface AccessSweepInput {
  /** Only events at least this old: a younger one's workflow was just woken by its change. */
  olderThanMs: number;
}

export interface AccessSweepReport {
  /** Users with pending events whose delivery run is running now (started, or found running). */
  woken: number;
  /** Users whose run it could not start (Temporal refused): the next sweep tries again. */
  failed: number;
}
