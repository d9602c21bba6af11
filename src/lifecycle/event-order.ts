/**
 * Stripe does not deliver events in order. Every event that changes a subscription gets
 * an ordering key that sorts as a plain string: the event's `created` second, then the
 * type's place in a subscription's life (for events within the same second), then a finer
 * sequence the object carries (a subscription's billing period end: a renewal moves it
 * forward), then the event id (so that every replica and every delivery order agrees, even
 * on a full tie — which stays arbitrary: two updates of one subscription in the same second
 * within the same period, say two quantity changes, cannot be told apart from each event
 * alone).
 */
const TYPE_RANK: Record<string, number> = {
  'customer.subscription.created': 0,
  'checkout.session.completed': 1,
  'checkout.session.async_payment_succeeded': 2,
  'checkout.session.async_payment_failed': 2,
  'invoice.payment_failed': 3,
  'invoice.paid': 4,
  'customer.subscription.updated': 5,
  'customer.subscription.paused': 6,
  'customer.subscription.resumed': 6,
  'customer.subscription.deleted': 9,
  // A one-time purchase's refunds and disputes (src/lifecycle/purchase-state.ts).
  'charge.refunded': 7,
  'refund.created': 7,
  'refund.updated': 7,
  'charge.dispute.created': 7,
  'charge.dispute.closed': 8,
};

export function eventOrderKey(created: number, type: string, eventId: string, sequence = 0): string {
  const pad = (n: number) => Math.max(0, Math.floor(n)).toString().padStart(12, '0');
  return `${pad(created)}.${TYPE_RANK[type] ?? 5}.${pad(sequence)}.${eventId}`;
}

/** True when `key` was produced by a later event than `than` (absent counts as oldest). */
export const isNewer = (key: string, than: string | undefined): boolean => than === undefined || key > than;
