import type { AccessItem, AccessReason, AccessSnapshot, AccessState } from '../contracts';

/**
 * The user's access as the product sees it, from the rows the access syncs write: pure, so the
 * check (GET /access), the events and `ops access show` agree by construction.
 */

/** A purchase's derived status (src/lifecycle/purchase-state.ts) → what the product is told. A refund
 *  that needs a decision keeps the codes no refund fully covers until an operator decides: active. */
export function purchaseState(status: string): AccessState {
  switch (status) {
    case 'active':
    case 'partially_refunded':
    case 'refund_needs_decision':
      return 'active';
    case 'disputed':
      return 'suspended';
    default:
      return 'revoked';
  }
}

const gives = (state: AccessState) => state === 'active' || state === 'grace';
const byId = (a: AccessItem, b: AccessItem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** One item as read, normalised: its keys in one order, no seats or features without access, features
 *  sorted, no grace date outside grace. Applying it twice changes nothing (a stored snapshot re-reads the same). */
export function accessItem(item: AccessItem): AccessItem {
  const on = gives(item.state);
  return {
    kind: item.kind,
    id: item.id,
    plan: item.plan,
    source: item.source,
    term: item.term,
    state: item.state,
    graceUntil: item.state === 'grace' ? item.graceUntil : null,
    licences: item.licences,
    seats: on ? item.seats : 0,
    features: on ? [...item.features].sort() : [],
  };
}

/** The whole snapshot: subscriptions then purchases (each by id), the union of features, the seats added up. */
export function accessSnapshot(items: AccessItem[]): AccessSnapshot {
  const normalised = items.map(accessItem);
  const sorted = [
    ...normalised.filter((i) => i.kind === 'subscription').sort(byId),
    ...normalised.filter((i) => i.kind === 'purchase').sort(byId),
  ];
  return {
    active: sorted.some((i) => gives(i.state)),
    features: [...new Set(sorted.flatMap((i) => i.features))].sort(),
    seats: sorted.reduce((sum, i) => sum + i.seats, 0),
    items: sorted,
  };
}

/** Whether two snapshots tell the product the same thing (whatever order a JSONB column gave their keys). */
export function sameAccess(a: AccessSnapshot | null, b: AccessSnapshot): boolean {
  return a !== null && canonical(a) === canonical(b);
}

/** JSON with every object's keys sorted. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The order in which a change's reason is chosen when several items changed at once. */
const SIGNIFICANCE: readonly AccessReason[] = ['revoked', 'suspended', 'grace_started', 'restored', 'granted', 'changed'];

/**
 * Why the access changed from `before` (null: nothing was told yet) to `after`: what happened to
 * the item that changed (a sync changes one item; the most significant reason wins otherwise).
 *
 *   new item, or none before, with access      → granted
 *   access → suspended                         → suspended
 *   access → revoked; suspended → revoked      → revoked
 *   suspended or revoked → access              → restored
 *   active → grace                             → grace_started
 *   anything else (seats, features, plan, …)   → changed
 */
export function changeReason(before: AccessSnapshot | null, after: AccessSnapshot): AccessReason {
  const previous = new Map((before?.items ?? []).map((i) => [`${i.kind}:${i.id}`, i]));
  const reasons = new Set<AccessReason>();
  for (const item of after.items) {
    const key = `${item.kind}:${item.id}`;
    const was = previous.get(key);
    previous.delete(key);
    if (was && canonical(accessItem(was)) === canonical(item)) continue;
    reasons.add(itemReason(was?.state ?? null, item.state));
  }
  // An item the user no longer has at all (not written by any sync today; told as revoked).
  if (previous.size > 0) reasons.add('revoked');
  return SIGNIFICANCE.find((r) => reasons.has(r)) ?? 'changed';
}

function itemReason(was: AccessState | null, now: AccessState): AccessReason {
  if (was === null) return gives(now) ? 'granted' : now === 'suspended' ? 'suspended' : 'changed';
  if (gives(was) && !gives(now)) return now === 'suspended' ? 'suspended' : 'revoked';
  if (!gives(was) && gives(now)) return 'restored';
  if (was === 'suspended' && now === 'revoked') return 'revoked';
  if (was === 'active' && now === 'grace') return 'grace_started';
  return 'changed';
}
