import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { checkoutEvent, signPayload, sumoMetadata } from '../devstack/sample-events';

/** One signed delivery: when it was posted (epoch ms) and how long the webhook took to answer. */
export interface Delivery {
  event: Stripe.Event;
  email: string;
  postedAt: number;
  ackMs: number;
  /** 503s answered before the 200 (each retried after a second, as Stripe retries; its ackMs is the 200's). */
  unavailable: number;
}

/** A Sumo purchase of sumo_tier_2 without add-ons: a new user, a subscription, 3 entitlements, a welcome email. */
export function purchase(): { event: Stripe.Event; email: string } {
  // A buyer of their own: the sample's 4 random bytes met twice in 7,280 purchases of one run (one
  // user, two purchases, two welcomes), which the check counts as a duplicate.
  const email = `buyer.${randomUUID()}@example.com`;
  const event = checkoutEvent({ email, metadata: sumoMetadata({ addons: '[]' }) });
  return { event, email };
}

export async function post(url: string, secret: string, p: { event: Stripe.Event; email: string }): Promise<Delivery> {
  const body = JSON.stringify(p.event);
  const postedAt = Date.now();
  for (let unavailable = 0; ; unavailable++) {
    const start = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(body, secret) },
      body,
    });
    const text = await res.text();
    if (res.status === 200) return { ...p, postedAt, ackMs: performance.now() - start, unavailable };
    // A 503 asks the sender to retry (Temporal or PostgreSQL did not answer in time); Stripe would.
    if (res.status !== 503 || unavailable >= 10) throw new Error(`webhook answered ${res.status}: ${text}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `count` purchases with `inFlight` requests open at a time (closed loop). */
export function burst(url: string, secret: string, count: number, inFlight: number): Promise<Delivery[]> {
  return burstOf(url, secret, Array.from({ length: count }, purchase), inFlight);
}

/** These purchases, in order, with `inFlight` requests open at a time (closed loop). */
export async function burstOf(
  url: string,
  secret: string,
  purchases: { event: Stripe.Event; email: string }[],
  inFlight: number,
): Promise<Delivery[]> {
  const done: Delivery[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < purchases.length) done.push(await post(url, secret, purchases[next++]));
    }),
  );
  return done;
}

/** `perSecond` purchases a second for `seconds`, each posted on schedule whatever the answers do (open loop). */
export async function steadyRate(url: string, secret: string, perSecond: number, seconds: number): Promise<Delivery[]> {
  const total = Math.round(perSecond * seconds);
  const t0 = performance.now();
  const sent: Promise<Delivery>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(post(url, secret, purchase()));
  }
  return Promise.all(sent);
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
