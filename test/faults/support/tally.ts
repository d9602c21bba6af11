import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import type { LocalStripeEvents } from '../../support/local-stripe-events';
import type { ProcessStack } from '../../support/stack/process-stack';
import type { DeliveryOutcome } from './stripe-delivery';

export interface Purchase {
  event: Stripe.Event;
  email: string;
}

/** `n` Sumo purchases by `n` new buyers, each a signed-to-be checkout.session.completed. */
export function purchases(caseId: string, n: number): Purchase[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const email = `${caseId}.${run}.${i}@faults.example`;
    return { email, event: checkoutEvent({ email, metadata: sumoMetadata() }) };
  });
}

/**
 * `n` direct purchases of one `pro` licence by new buyers, without `tier_id`: the worker reads the
 * tier from the session's line item, which `stripe` (a Stripe API stand-in) now holds.
 */
export function directPurchases(stripe: Pick<LocalStripeEvents, 'setLineItems'>, caseId: string, n: number): Purchase[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const email = `${caseId}.${run}.${i}@faults.example`;
    const event = checkoutEvent({ email });
    stripe.setLineItems((event.data.object as Stripe.Checkout.Session).id, [{ priceId: 'price_pro_monthly', quantity: 1 }]);
    return { email, event };
  });
}

/** One case's counts: what Stripe sent, what was acknowledged, fulfilled, lost, done twice, left to a person. */
export interface Tally {
  name: string;
  sent: number;
  acknowledged: number;
  fulfilled: number;
  /** Not fulfilled in the end, or fulfilled without its welcome email. */
  lost: number;
  /** Buyers with more than one welcome email or user, events with more than one workflow run. */
  duplicated: number;
  /** Runs waiting in NeedsAttention, or an email delivery left unsettled. */
  needingOperator: number;
  /** From the end of the fault to the last fulfillment (access given; ms); null if not all were fulfilled. */
  recoveryMs: number | null;
}

/** What counting needs of a stack (the fault suite's, the cluster suite's). */
type Counted = Pick<ProcessStack, 'db' | 'postmark' | 'temporalClient'>;

const fulfilledCount = async (stack: Counted, ids: string[]) =>
  stack.db.stripeEvent.count({ where: { id: { in: ids }, status: 'completed' } }).catch(() => -1);

/**
 * Waits (at most `timeoutMs`) until every purchase is fulfilled, then counts. `faultEndedAt`
 * is when the fault was over (the server back, the new worker polling): recovery is measured
 * from there. The outbox, users and workflow runs are counted per buyer and per event id.
 */
export async function settle(
  stack: Counted,
  name: string,
  bought: Purchase[],
  outcomes: DeliveryOutcome[],
  { faultEndedAt, timeoutMs = 240_000 }: { faultEndedAt: number; timeoutMs?: number },
): Promise<Tally> {
  const ids = bought.map((p) => p.event.id);
  const deadline = Date.now() + timeoutMs;
  let fulfilled = await fulfilledCount(stack, ids);
  while (fulfilled < ids.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    fulfilled = await fulfilledCount(stack, ids);
  }
  const recoveryMs = fulfilled === ids.length ? Math.max(0, Date.now() - faultEndedAt) : null;

  // The event is marked fulfilled once access is there; each welcome follows it.
  const emails = bought.map((p) => p.email);
  const welcomed = () => new Set(stack.postmark.outbox.filter((m) => m.tag === 'welcome').map((m) => m.to));
  const unsettled = () => stack.db.emailDelivery.count({ where: { eventId: { in: ids }, status: { not: 'sent' } } }).catch(() => -1);
  while (Date.now() < deadline && (emails.some((e) => !welcomed().has(e)) || (await unsettled()) !== 0)) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const sentTo = new Map<string, number>();
  for (const m of stack.postmark.outbox) if (m.tag === 'welcome') sentTo.set(m.to, (sentTo.get(m.to) ?? 0) + 1);
  const users = await stack.db.user.groupBy({ by: ['email'], where: { email: { in: emails } }, _count: { _all: true } });
  const runs = await runsPerEvent(stack, ids);
  const unsettledEmails = await stack.db.emailDelivery.count({ where: { eventId: { in: ids }, status: { not: 'sent' } } });
  const waiting = await needsAttention(stack, ids);

  const duplicatedBuyers = new Set([
    ...emails.filter((e) => (sentTo.get(e) ?? 0) > 1),
    ...users.filter((u) => u._count._all > 1).map((u) => u.email),
  ]);
  const duplicatedRuns = [...runs.values()].filter((n) => n > 1).length;
  const withoutEmail = emails.filter((e) => !sentTo.get(e)).length;
  return {
    name,
    sent: bought.length,
    acknowledged: outcomes.filter((o) => o.acknowledged).length,
    fulfilled,
    lost: Math.max(ids.length - fulfilled, withoutEmail),
    duplicated: duplicatedBuyers.size + duplicatedRuns,
    needingOperator: Math.max(waiting, unsettledEmails),
    recoveryMs,
  };
}

async function runsPerEvent(stack: Counted, ids: string[]): Promise<Map<string, number>> {
  const wanted = new Set(ids);
  const runs = new Map<string, number>();
  for await (const wf of stack.temporalClient.workflow.list({ query: `WorkflowType = 'fulfillCheckout'` })) {
    if (wanted.has(wf.workflowId)) runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
  }
  return runs;
}

async function needsAttention(stack: Counted, ids: string[]): Promise<number> {
  const wanted = new Set(ids);
  let n = 0;
  const query = `WorkflowType = 'fulfillCheckout' AND ExecutionStatus = 'Running' AND FulfillmentStatus = 'NeedsAttention'`;
  for await (const wf of stack.temporalClient.workflow.list({ query })) if (wanted.has(wf.workflowId)) n++;
  return n;
}

/** The line each case prints. */
export function describeTally(t: Tally, extra = ''): string {
  const recovery = t.recoveryMs === null ? 'not recovered' : `recovered in ${(t.recoveryMs / 1000).toFixed(1)} s`;
  return (
    `[fault] ${t.name}: sent ${t.sent} / acknowledged ${t.acknowledged} / fulfilled ${t.fulfilled} / lost ${t.lost} / ` +
    `duplicated ${t.duplicated} / needing an operator ${t.needingOperator}; ${recovery}${extra}`
  );
}

/** Every one of `expected` acknowledged and fulfilled; nothing lost, done twice or left to a person. */
export function expectNothingLost(t: Tally, expected = t.sent): void {
  expect({
    acknowledged: t.acknowledged,
    fulfilled: t.fulfilled,
    lost: t.lost,
    duplicated: t.duplicated,
    needingOperator: t.needingOperator,
  }).toEqual({
    acknowledged: expected,
    fulfilled: expected,
    lost: 0,
    duplicated: 0,
    needingOperator: 0,
  });
}
