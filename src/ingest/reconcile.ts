import type Stripe from 'stripe';
import { RECONCILE_REPORTED_IDS, type EventGenerationFailure, type ReconcileCursor, type ReconcileReport } from '../contracts';
import { recordReconciled } from '../db/event-ledger';
import { acceptEvent, type IngestDeps } from '../ingest/accept-event';
import { HANDLED_EVENT_TYPES, routeEvent } from '../stripe/event-router';

/** Events per page of Stripe's listing (its maximum): one page is all a pass holds at a time. */
const PAGE_SIZE = 100;
/** Stripe's signal that an event was never generated (v2 Events API, a thin event). */
export const EVENT_GENERATION_FAILURE_RESOLVED = 'v2.core.health.event_generation_failure.resolved';

export interface ReconcileOptions {
  /** Where a previous attempt of this pass stopped (its last heartbeat); absent: from the top. */
  resume?: ReconcileCursor | null;
  /** Called after every page with where the pass is (the activity heartbeats it). */
  onPage?: (cursor: ReconcileCursor) => void | Promise<void>;
  /** Called after every event with the cursor of the page being worked (the activity heartbeats it, so a
   *  slow page never outlives the heartbeat timeout; a retry redoes at most that page, harmlessly). */
  onEvent?: (cursor: ReconcileCursor) => void;
  /** Events per page (default and Stripe's maximum: 100). */
  pageSize?: number;
}

/**
 * Lists the handled event types Stripe has since `since` — our own account's (direct and Sumo
 * purchases alike) and those of each connected account listed in STRIPE_CONNECT_ACCOUNTS (the
 * Events API lists an account's events only with its Stripe-Account header; no other account's
 * are ours) — one page at a time, and starts each event the webhook never
 * brought to a run. Safe to run any time, as often as wanted:
 *
 * - it counts no delivery: an event the ledger lacks is inserted with 0 deliveries, one it has is
 *   left as it is (the webhook's `deliveries` stays the number of webhook deliveries);
 * - it starts only what never ran: an event with no ledger row, or whose row says `received`
 *   while Temporal holds no run of it (the webhook recorded it, then could not start it and Stripe
 *   gave up). A row that is completed, cancelled or failed, or a run in any state — including one
 *   an operator terminated or cancelled in the Temporal UI — is left alone: only a Stripe
 *   redelivery or `ops retry` starts those again;
 * - it resumes: `onPage` gets a cursor after every page, and `resume` picks up from it.
 *
 * Within a page, oldest first (order does not change the result, only how soon a user has access).
 */
export async function reconcileStripeEvents(
  stripe: Stripe,
  ingest: IngestDeps,
  since: Date,
  connectAccounts: readonly string[] = [],
  { resume = null, onPage, onEvent, pageSize = PAGE_SIZE }: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const accounts = [null, ...connectAccounts];
  const created = Math.floor(since.getTime() / 1000);
  const report: ReconcileReport = resume?.report ?? {
    since: since.toISOString(),
    listed: 0,
    started: [],
    startedCount: 0,
    duplicate: 0,
    ignored: 0,
    failed: [],
  };
  let cursor: ReconcileCursor = resume ?? { account: 0, startingAfter: null, report };
  for (let a = cursor.account; a < accounts.length; a++) {
    const account = accounts[a];
    let startingAfter = a === cursor.account ? cursor.startingAfter : null;
    for (;;) {
      const params: Stripe.EventListParams = {
        types: [...HANDLED_EVENT_TYPES],
        created: { gte: created },
        limit: pageSize,
        ...(startingAfter && { starting_after: startingAfter }),
      };
      const page = await stripe.events.list(params, asAccount(account));
      const events = page.data.map((e) => withAccount(e, account)).sort((x, y) => x.created - y.created);
      // Where a retry would start this page again: before it, with the report as it was.
      const pageStart: ReconcileCursor = { account: a, startingAfter, report: structuredClone(report) };
      for (const event of events) {
        await reconcileOne(ingest, event, report);
        onEvent?.(pageStart);
      }
      report.listed += page.data.length;
      startingAfter = page.data.at(-1)?.id ?? startingAfter;
      const more = page.has_more && page.data.length > 0;
      cursor = more ? { account: a, startingAfter, report } : { account: a + 1, startingAfter: null, report };
      await onPage?.(cursor);
      if (!more) break;
    }
  }
  return report;
}

async function reconcileOne(ingest: IngestDeps, event: Stripe.Event, report: ReconcileReport): Promise<void> {
  try {
    const decision = routeEvent(event);
    if (decision.action === 'ignore') {
      report.ignored++;
      return;
    }
    const { inserted, status } = await recordReconciled(ingest.db, event);
    const neverRan = inserted || (status === 'received' && !(await ingest.fulfillments.exists(event.id)));
    if (!neverRan) {
      report.duplicate++;
      return;
    }
    const started = await ingest.fulfillments.start(decision.start);
    if (started.duplicate) {
      report.duplicate++;
      return;
    }
    report.startedCount = (report.startedCount ?? report.started.length) + 1;
    if (report.started.length < RECONCILE_REPORTED_IDS) report.started.push(event.id);
  } catch (err) {
    if (report.failed.length < RECONCILE_REPORTED_IDS)
      report.failed.push({ eventId: event.id, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Stripe's `v2.core.health.event_generation_failure.resolved` alerts since `since`: each says an
 * event of some type, about some object, was never generated — no webhook will come and no listing
 * shows it. Reported for an operator to look at the object (its checkout, its subscription); null
 * when the v2 Events API cannot be read (a key without access, an old API).
 */
export async function eventGenerationFailures(stripe: Stripe, since: Date): Promise<EventGenerationFailure[] | null> {
  try {
    const found: EventGenerationFailure[] = [];
    // Newest first; v2 timestamps are RFC 3339 strings, compared here rather than sent as a filter.
    const list = stripe.v2.core.events.list({ types: [EVENT_GENERATION_FAILURE_RESOLVED], limit: 20 });
    for await (const event of list as AsyncIterable<{ id: string; type: string; created: string; data?: unknown }>) {
      if (new Date(event.created).getTime() < since.getTime()) break;
      if (event.type === EVENT_GENERATION_FAILURE_RESOLVED) found.push(describeGenerationFailure(event.id, event.data));
    }
    return found;
  } catch {
    return null;
  }
}

function describeGenerationFailure(id: string, data: unknown): EventGenerationFailure {
  const d = (data ?? {}) as {
    alert_id?: string;
    impact?: { event_type?: string; context?: string; related_object?: { id?: string; type?: string } };
    resolved_at?: string | number;
    summary?: string;
  };
  const related = d.impact?.related_object;
  const resolvedAt =
    d.resolved_at === undefined ? null : typeof d.resolved_at === 'number' ? new Date(d.resolved_at * 1000).toISOString() : d.resolved_at;
  return {
    alertId: d.alert_id ?? id,
    eventType: d.impact?.event_type ?? 'unknown',
    relatedObject: related?.id ? { id: related.id, type: related.type ?? 'unknown' } : null,
    context: d.impact?.context ?? null,
    resolvedAt,
    summary: d.summary ?? '',
  };
}

/**
 * Fetches one event from Stripe (for events Stripe stopped retrying) and runs it: our own account's
 * (no `account`), or a connected account's when it is listed in `connectAccounts` — never another's.
 */
export async function replayStripeEvent(
  stripe: Stripe,
  ingest: IngestDeps,
  eventId: string,
  account: string | null = null,
  connectAccounts: readonly string[] = [],
) {
  if (account && !connectAccounts.includes(account)) {
    throw new Error(`connected account ${account} is not in STRIPE_CONNECT_ACCOUNTS: its events are not ours to fulfil`);
  }
  const retrieved = await stripe.events.retrieve(eventId, {}, asAccount(account)).catch((err: unknown) => {
    const where = account ? ` in connected account ${account}` : '';
    const hint = account ? '' : "; a listed connected account's event needs --account acct_…";
    throw new Error(`Stripe has no event ${eventId} (${(err as Error).message})${where}; Stripe keeps events for 30 days${hint}`);
  });
  const event = withAccount(retrieved, account);
  return { event, ...(await acceptEvent(ingest, event)) };
}

export const asAccount = (account: string | null): Stripe.RequestOptions | undefined => (account ? { stripeAccount: account } : undefined);

/** An event read through a connected account's header is that account's, as its webhook says. */
export const withAccount = (event: Stripe.Event, account: string | null): Stripe.Event =>
  account && !event.account ? { ...event, account } : event;
