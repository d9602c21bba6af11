import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { checkoutEvent, id, invoiceEvent } from '../../../devstack/sample-events';
import type { LocalStripeEvents } from '../../support/local-stripe-events';
import type { ProcessStack } from '../../support/stack/process-stack';
import { deliverLikeStripe, type DeliveryOutcome } from './stripe-delivery';
import { purchases, settle, type Purchase, type Tally } from './tally';

/** A Stripe API stand-in for the direct purchases' line items (Sumo's never read them). */
export interface LaunchStripe {
  setLineItems: LocalStripeEvents['setLineItems'];
}

export interface LaunchSpec {
  id: string;
  /** Sumo purchases in the burst. */
  sumo: number;
  /** Direct purchases, spread evenly through the burst (the last after the last Sumo one). */
  direct: number;
  /** Renewals (invoice.paid) of direct subscriptions bought before the burst, spread likewise. */
  renewals: number;
  /** Our customers' events all after the last Sumo purchase instead of spread through the burst. */
  oursAfter?: boolean;
  /** Requests in flight at once, as Stripe sends in parallel. */
  concurrency?: number;
  settleMs?: number;
}

/** POST → outcome latencies of one class of events (ms). */
export interface Latencies {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LaunchResult {
  /** The checkouts (Sumo and direct) counted as every fault case counts them. */
  tally: Tally;
  renewals: { sent: number; acknowledged: number; completed: number; duplicated: number; needingOperator: number };
  /** POST → welcome email for purchases, POST → run completed (access synced) for renewals. */
  sumo: Latencies;
  direct: Latencies;
  renewal: Latencies;
  /** From the first Sumo POST to the last Sumo welcome email: how long the backlog took to drain. */
  drainMs: number;
  /** Direct purchases whose email came after the Sumo backlog had drained (0: none waited behind it). */
  directAfterDrain: number;
  /** Per direct purchase: Sumo purchases acknowledged but not yet emailed when it was posted. */
  backlogAtDirectPost: number[];
}

/**
 * A launch: a burst of Sumo purchases with our own customers' events — direct purchases and
 * renewals — interleaved, delivered as Stripe delivers them. Records when each was first
 * POSTed and when its outcome landed, waits until everything settled and counts as the
 * fault suite does: lost, duplicated, needing an operator.
 */
export async function runLaunch(stack: ProcessStack, stripe: LaunchStripe, spec: LaunchSpec): Promise<LaunchResult> {
  const deliver = { url: stack.apiUrl, secret: stack.webhookSecret };
  const subscriptions = await directSubscriptions(stack, stripe, spec);
  const sumo = purchases(`${spec.id}-sumo`, spec.sumo);
  const direct = directPurchases(stripe, `${spec.id}-direct`, spec.direct);
  const renewals = subscriptions.map((subscriptionId) => invoiceEvent({ type: 'invoice.paid', subscriptionId }));

  // Our own customers' events spread evenly through the burst, the last after the last Sumo purchase.
  const after = new Map<number, Stripe.Event[]>();
  for (const events of [direct.map((d) => d.event), renewals]) {
    events.forEach((event, k) => {
      const i = spec.oursAfter ? spec.sumo - 1 : Math.ceil(((k + 1) * spec.sumo) / events.length) - 1;
      after.set(i, [...(after.get(i) ?? []), event]);
    });
  }
  const stream = sumo.flatMap((p, i) => [p.event, ...(after.get(i) ?? [])]);

  const postedAt = new Map<string, number>();
  const outcomes: DeliveryOutcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < stream.length) {
      const event = stream[next++];
      postedAt.set(event.id, Date.now());
      outcomes.push(await deliverLikeStripe(event, deliver));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency ?? 32 }, lane));
  const checkouts = [...sumo, ...direct];
  const checkoutIds = new Set(checkouts.map((p) => p.event.id));
  const tally = await settle(
    stack,
    `launch: ${spec.sumo} Sumo + ${spec.direct} direct`,
    checkouts,
    outcomes.filter((o) => checkoutIds.has(o.eventId)),
    { faultEndedAt: Math.min(...postedAt.values()), timeoutMs: spec.settleMs },
  );
  const renewalIds = renewals.map((e) => e.id);
  const renewalCounts = await countRenewals(
    stack,
    renewalIds,
    outcomes.filter((o) => renewalIds.includes(o.eventId)),
    spec.settleMs,
  );

  const emailedAt = new Map<string, number>();
  for (const m of stack.postmark.outbox) if (m.tag === 'welcome' && !emailedAt.has(m.to)) emailedAt.set(m.to, Date.parse(m.submittedAt));
  const completed = await stack.db.stripeEvent.findMany({ where: { id: { in: renewalIds } }, select: { id: true, completedAt: true } });
  const emailLatency = (list: Purchase[]) => list.map((p) => (emailedAt.get(p.email) ?? NaN) - postedAt.get(p.event.id)!);
  const lastSumoEmail = Math.max(...sumo.map((p) => emailedAt.get(p.email) ?? Infinity));
  const firstSumoPost = Math.min(...sumo.map((p) => postedAt.get(p.event.id)!));
  const sumoEmails = sumo.map((p) => emailedAt.get(p.email) ?? Infinity);

  return {
    tally,
    renewals: renewalCounts,
    sumo: latencies(emailLatency(sumo)),
    direct: latencies(emailLatency(direct)),
    renewal: latencies(completed.map((r) => (r.completedAt?.getTime() ?? NaN) - postedAt.get(r.id)!)),
    drainMs: lastSumoEmail - firstSumoPost,
    directAfterDrain: direct.filter((p) => !((emailedAt.get(p.email) ?? Infinity) < lastSumoEmail)).length,
    backlogAtDirectPost: direct.map((d) => {
      const at = postedAt.get(d.event.id)!;
      return sumo.filter((p, i) => postedAt.get(p.event.id)! < at && sumoEmails[i] > at).length;
    }),
  };
}

/** Direct purchases of one `pro` licence by new buyers, each session's line item in the Stripe stand-in. */
function directPurchases(stripe: LaunchStripe, caseId: string, n: number, subscriptionIds: string[] = []): Purchase[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const email = `${caseId}.${run}.${i}@faults.example`;
    const event = checkoutEvent({ email, subscriptionId: subscriptionIds[i], metadata: { tier_id: 'pro' } });
    stripe.setLineItems((event.data.object as Stripe.Checkout.Session).id, [{ priceId: 'price_pro_monthly', quantity: 1 }]);
    return { email, event };
  });
}

/** The subscriptions the renewals renew: direct purchases fulfilled before the launch. */
async function directSubscriptions(stack: ProcessStack, stripe: LaunchStripe, spec: LaunchSpec): Promise<string[]> {
  const subscriptionIds = Array.from({ length: spec.renewals }, () => id('sub'));
  const bought = directPurchases(stripe, `${spec.id}-subscriber`, spec.renewals, subscriptionIds);
  const deliver = { url: stack.apiUrl, secret: stack.webhookSecret };
  await Promise.all(bought.map((p) => deliverLikeStripe(p.event, deliver)));
  const ids = bought.map((p) => p.event.id);
  const deadline = Date.now() + 120_000;
  while ((await stack.db.stripeEvent.count({ where: { id: { in: ids }, status: 'completed' } })) < ids.length) {
    if (Date.now() > deadline) throw new Error('the subscribers bought before the launch were not fulfilled in 2 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  return subscriptionIds;
}

async function countRenewals(
  stack: ProcessStack,
  ids: string[],
  outcomes: DeliveryOutcome[],
  settleMs = 240_000,
): Promise<LaunchResult['renewals']> {
  const done = () => stack.db.stripeEvent.count({ where: { id: { in: ids }, status: 'completed' } });
  const deadline = Date.now() + settleMs;
  while ((await done()) < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const wanted = new Set(ids);
  const runs = new Map<string, number>();
  for await (const wf of stack.temporalClient.workflow.list({ query: `WorkflowType = 'syncSubscription'` })) {
    if (wanted.has(wf.workflowId)) runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
  }
  let needingOperator = 0;
  const query = `WorkflowType = 'syncSubscription' AND ExecutionStatus = 'Running' AND FulfillmentStatus = 'NeedsAttention'`;
  for await (const wf of stack.temporalClient.workflow.list({ query })) if (wanted.has(wf.workflowId)) needingOperator++;
  return {
    sent: ids.length,
    acknowledged: outcomes.filter((o) => o.acknowledged).length,
    completed: await done(),
    duplicated: [...runs.values()].filter((n) => n > 1).length,
    needingOperator,
  };
}

/** p50 / p99 / max of `values` (a value that is NaN — no outcome — counts as infinitely late). */
export function latencies(values: number[]): Latencies {
  const sorted = values.map((v) => (Number.isNaN(v) ? Infinity : v)).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');

/** The case's line of figures. */
export function describeLaunch(r: LaunchResult): string {
  const cls = (name: string, l: Latencies, what: string) =>
    `${name} (${l.n}) POST → ${what} p50 ${s(l.p50)} / p99 ${s(l.p99)} / max ${s(l.max)}`;
  const backlog = r.backlogAtDirectPost.length ? Math.max(...r.backlogAtDirectPost) : 0;
  return (
    `[launch] ${cls('Sumo', r.sumo, 'email')}; ${cls('direct', r.direct, 'email')}; ${cls('renewals', r.renewal, 'access synced')}; ` +
    `Sumo backlog drained in ${s(r.drainMs)}; largest backlog a direct purchase was posted behind: ${backlog}; ` +
    `direct emails after the drain: ${r.directAfterDrain}`
  );
}
