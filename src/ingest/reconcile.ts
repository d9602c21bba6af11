import type Stripe from 'stripe';
import type { ReconcileReport } from '../contracts';
import { acceptEvent, type IngestDeps } from '../ingest/accept-event';
import { HANDLED_EVENT_TYPES } from '../stripe/event-router';

/**
 * Lists the handled event types Stripe has since `since` — our own account's (direct and Sumo
 * purchases alike) and those of each connected account listed in STRIPE_CONNECT_ACCOUNTS (the
 * Events API lists an account's events only with its Stripe-Account header; no other account's
 * are ours) — and runs every one through the webhook's own path (acceptEvent). Events that already have a workflow, or were completed,
 * are duplicates and change nothing, so this is safe to run any time, as often as wanted.
 * Oldest first, so a checkout runs before its later lifecycle events (order does not
 * affect the result, only how soon a user gets access).
 */
export async function reconcileStripeEvents(
  stripe: Stripe,
  ingest: IngestDeps,
  since: Date,
  connectAccounts: readonly string[] = [],
): Promise<ReconcileReport> {
  const byId = new Map<string, Stripe.Event>();
  const created = Math.floor(since.getTime() / 1000);
  for (const account of [null, ...connectAccounts]) {
    const params: Stripe.EventListParams = { types: [...HANDLED_EVENT_TYPES], created: { gte: created }, limit: 100 };
    for await (const event of stripe.events.list(params, asAccount(account))) byId.set(event.id, withAccount(event, account));
  }
  const events = [...byId.values()].sort((a, b) => a.created - b.created);

  const report: ReconcileReport = { since: since.toISOString(), listed: events.length, started: [], duplicate: 0, ignored: 0, failed: [] };
  for (const event of events) {
    try {
      const outcome = await acceptEvent(ingest, event);
      if (outcome.outcome === 'started') report.started.push(event.id);
      else if (outcome.outcome === 'duplicate') report.duplicate++;
      else report.ignored++;
    } catch (err) {
      report.failed.push({ eventId: event.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
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

const asAccount = (account: string | null): Stripe.RequestOptions | undefined => (account ? { stripeAccount: account } : undefined);

/** An event read through a connected account's header is that account's, as its webhook says. */
const withAccount = (event: Stripe.Event, account: string | null): Stripe.Event =>
  account && !event.account ? { ...event, account } : event;
