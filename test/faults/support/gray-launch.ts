import type { ProcessStack } from '../../support/stack/process-stack';
import { latencies, type Latencies } from './launch-burst';
import { deliverLikeStripe, type DeliveryOutcome } from './stripe-delivery';
import { purchases, settle, type Tally } from './tally';

export interface SlowPostmarkLaunchSpec {
  id: string;
  /** Sumo purchases, each by a new buyer. */
  purchases: number;
  /** Postmark turns slow once this many have been posted. */
  slowAfter: number;
  /** For this long Postmark answers every request `latencyMs` late (its client gives up after 10 s). */
  slowMs: number;
  latencyMs: number;
  concurrency?: number;
  settleMs?: number;
}

export interface SlowPostmarkLaunchResult {
  tally: Tally;
  /** POST → the buyer's first entitlement row, every buyer. */
  access: Latencies;
  /** The same, for buyers whose purchase was posted while Postmark was slow. */
  accessPostedWhileSlow: Latencies;
  /** POST → the welcome email accepted by Postmark. */
  email: Latencies;
  /** Welcome emails Postmark had accepted when the last buyer got access. */
  emailsBeforeLastAccess: number;
  /** Buyers given access per second while Postmark was slow, and from the first POST until it was. */
  accessPerSecond: { whileSlow: number; before: number };
}

/**
 * A launch with a slow Postmark in the middle: `purchases` delivered as Stripe delivers them
 * (32 in flight), Postmark's answers delayed past its client's timeout for `slowMs` once
 * `slowAfter` were posted (a latency toxic on its proxy), then counted as every case is, and
 * each buyer's POST → access (the first entitlement row) and POST → welcome email measured.
 */
export async function runSlowPostmarkLaunch(stack: ProcessStack, spec: SlowPostmarkLaunchSpec): Promise<SlowPostmarkLaunchResult> {
  const toxiproxy = stack.toxiproxy;
  if (!toxiproxy) throw new Error('runSlowPostmarkLaunch: the stack has no Toxiproxy (the `toxiproxy` option)');
  const bought = purchases(spec.id, spec.purchases);
  const deliver = { url: stack.apiUrl, secret: stack.webhookSecret };
  const postedAt = new Map<string, number>();
  let slow: Promise<{ from: number; to: number }> | undefined;
  const slowWindow = async () => {
    const toxic = await toxiproxy.addToxic('postmark', { type: 'latency', attributes: { latency: spec.latencyMs } });
    const from = Date.now();
    await new Promise((r) => setTimeout(r, spec.slowMs));
    await toxiproxy.removeToxic('postmark', toxic);
    return { from, to: Date.now() };
  };

  const outcomes: DeliveryOutcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < bought.length) {
      const { event } = bought[next++];
      if (postedAt.size === spec.slowAfter) slow ??= slowWindow();
      postedAt.set(event.id, Date.now());
      outcomes.push(await deliverLikeStripe(event, deliver));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency ?? 32 }, lane));
  const window = await (slow ?? slowWindow());
  const tally = await settle(
    stack,
    `launch of ${spec.purchases}, Postmark ${spec.latencyMs / 1000} s late for ${spec.slowMs / 1000} s`,
    bought,
    outcomes,
    {
      faultEndedAt: window.to,
      timeoutMs: spec.settleMs,
    },
  );

  const users = await stack.db.user.findMany({
    where: { email: { in: bought.map((p) => p.email) } },
    select: { email: true, entitlements: { select: { grantedAt: true }, orderBy: { grantedAt: 'asc' }, take: 1 } },
  });
  const accessAt = new Map(users.map((u) => [u.email, u.entitlements[0]?.grantedAt.getTime() ?? NaN]));
  const emailedAt = new Map<string, number>();
  for (const m of stack.postmark.outbox) if (m.tag === 'welcome' && !emailedAt.has(m.to)) emailedAt.set(m.to, Date.parse(m.submittedAt));
  const since = (at: Map<string, number>) => (p: (typeof bought)[number]) => (at.get(p.email) ?? NaN) - postedAt.get(p.event.id)!;
  const whileSlow = bought.filter((p) => postedAt.get(p.event.id)! >= window.from && postedAt.get(p.event.id)! < window.to);
  const granted = [...accessAt.values()];
  const lastAccess = Math.max(...granted.map((t) => (Number.isNaN(t) ? Infinity : t)));
  const rate = (from: number, to: number) => granted.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
  return {
    tally,
    access: latencies(bought.map(since(accessAt))),
    accessPostedWhileSlow: latencies(whileSlow.map(since(accessAt))),
    email: latencies(bought.map(since(emailedAt))),
    emailsBeforeLastAccess: [...emailedAt.values()].filter((t) => t <= lastAccess).length,
    accessPerSecond: { whileSlow: rate(window.from, window.to), before: rate(Math.min(...postedAt.values()), window.from) },
  };
}
