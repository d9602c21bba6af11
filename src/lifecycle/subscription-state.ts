import { eventOrderKey, isNewer } from './event-order';

/**
 * A subscription's state as the newest events describe it, whatever order they arrived in.
 *
 * Each field group keeps the ordering key of the event that last set it and only a newer
 * event replaces it, so the result is the same for every delivery order (the property
 * test in test/lifecycle checks exactly that). Status is special twice over:
 *  - a terminal status (`canceled`, `incomplete_expired`) wins over any non-terminal one,
 *    even a "newer" one: Stripe never revives a subscription, so a late `updated` cannot;
 *  - `pastDueSince` is the start of the current run of `past_due` assertions, which needs
 *    the history of statuses, not only the newest;
 *  - only the subscription's latest invoice moves its status, as Stripe's own status follows its
 *    latest invoice: an invoice event asserts a status only while no later invoice of the
 *    subscription is known (later = a later invoice `created`, then a greater id). A late failure
 *    of an older invoice does not demote a paying subscription, and paying an older invoice does
 *    not restore one whose latest invoice is unpaid. Stripe's `latest_invoice` is an id without a
 *    date, so the invoices' own `created` decides; each invoice event carries it.
 */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['canceled', 'incomplete_expired']);

export interface StatusMark {
  /** Ordering key of the event that asserted the status. */
  v: string;
  status: string;
  /** The event's `created`, unix seconds. */
  at: number;
  /** Set when the status is the `past_due` an `invoice.payment_failed` implies (see deriveStatus). */
  paymentFailure?: true;
  /** The invoice whose event asserted the status, and that invoice's `created` (see above). */
  invoice?: string;
  invoiceCreated?: number;
}

export type FieldGroup = 'tier' | 'quantity' | 'addons' | 'billing';

export interface SubscriptionState {
  /** The tier the newest event named (a checkout's, or metadata's, else a catalogued price's); see planOf. */
  tierId: string | null;
  /** The quantity the newest event named (a direct checkout's line item, or Stripe's item quantity); see planOf. */
  quantity: number;
  addons: string[];
  cancelAtPeriodEnd: boolean;
  /** Unix seconds. */
  currentPeriodEnd: number | null;
  stripePriceId: string | null;
  /** The tier `stripePriceId` maps to in the catalogue (null: not catalogued). */
  priceTierId?: string | null;
  /** A Sumo checkout's `sumo_quantity`: the licences bought (null: not a Sumo subscription, or not linked yet). */
  sumoQuantity?: number | null;
  /** What the subscription started with: the oldest item quantity and price its events tell (see planOf). */
  first?: { quantity?: { v: string; n: number }; price?: { v: string; id: string } };
  versions: Partial<Record<FieldGroup, string>>;
  statusHistory: StatusMark[];
}

/** What one event says about a subscription; absent fields are facts it does not carry. */
export interface SubscriptionPatch {
  eventId: string;
  eventType: string;
  /** The event's `created`, unix seconds. */
  created: number;
  /**
   * A finer order between two events of the same type in the same second, when the object
   * carries one: for a subscription, its billing period's end (a renewal moves it forward).
   */
  sequence?: number;
  tierId?: string;
  quantity?: number;
  addons?: string[];
  billing?: { cancelAtPeriodEnd: boolean; currentPeriodEnd: number | null; stripePriceId: string | null; priceTierId?: string | null };
  /** A Sumo checkout's licences (`sumo_quantity`). */
  sumoQuantity?: number;
  /** What an update changed: the item's quantity and price before it (`previous_attributes`). */
  previous?: { quantity?: number; priceId?: string };
  status?: string;
  /** Set for an invoice event: which invoice, and when Stripe created it (unix seconds). */
  invoice?: { id: string; created: number };
}

export const emptyState = (): SubscriptionState => ({
  tierId: null,
  quantity: 1,
  addons: [],
  cancelAtPeriodEnd: false,
  currentPeriodEnd: null,
  stripePriceId: null,
  versions: {},
  statusHistory: [],
});

/** Statuses kept per subscription; older marks no longer change the derived status. */
const HISTORY_LIMIT = 50;

export function applyPatch(state: SubscriptionState, patch: SubscriptionPatch): SubscriptionState {
  const key = eventOrderKey(patch.created, patch.eventType, patch.eventId, patch.sequence);
  const next: SubscriptionState = { ...state, versions: { ...state.versions } };
  const take = (group: FieldGroup, present: boolean, set: () => void) => {
    if (!present || !isNewer(key, state.versions[group])) return;
    set();
    next.versions[group] = key;
  };
  take('tier', patch.tierId !== undefined, () => (next.tierId = patch.tierId!));
  take('quantity', patch.quantity !== undefined, () => (next.quantity = patch.quantity!));
  take('addons', patch.addons !== undefined, () => (next.addons = patch.addons!));
  take('billing', patch.billing !== undefined, () => Object.assign(next, { priceTierId: null }, patch.billing));
  if (patch.sumoQuantity !== undefined && (next.sumoQuantity ?? null) === null) next.sumoQuantity = patch.sumoQuantity;
  // What the subscription started with: the oldest item facts of any subscription event, where an
  // update's `previous_attributes` count as just before the update itself.
  if (patch.billing) {
    next.first = oldest(next.first, `${key}!1`, patch.quantity, patch.billing.stripePriceId);
    if (patch.previous) next.first = oldest(next.first, `${key}!0`, patch.previous.quantity, patch.previous.priceId);
  }
  if (patch.status !== undefined && !state.statusHistory.some((m) => m.v === key)) {
    const mark: StatusMark = { v: key, status: patch.status, at: patch.created };
    if (patch.eventType === 'invoice.payment_failed') mark.paymentFailure = true;
    if (patch.invoice) Object.assign(mark, { invoice: patch.invoice.id, invoiceCreated: patch.invoice.created });
    next.statusHistory = [...state.statusHistory, mark].sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0)).slice(-HISTORY_LIMIT);
  }
  return next;
}

function oldest(
  first: SubscriptionState['first'],
  v: string,
  quantity: number | undefined,
  priceId: string | null | undefined,
): SubscriptionState['first'] {
  const next = { ...first };
  if (quantity !== undefined && (!next.quantity || v < next.quantity.v)) next.quantity = { v, n: quantity };
  if (priceId && (!next.price || v < next.price.v)) next.price = { v, id: priceId };
  return next;
}

/**
 * The tier and licence count the state implies (what seats and features follow):
 *  - tier: a catalogued price wins once the price has changed from the one the subscription started
 *    with (a portal upgrade from `price_starter_monthly` to `price_pro_monthly` is pro, even while the
 *    subscription's metadata still names `starter`); until then the tier the newest event named
 *    (the checkout's, the metadata's, else the price's);
 *  - licences of a Sumo subscription: `sumo_quantity` from its checkout, scaled by Stripe's item
 *    quantity against the quantity it started with — `sumo_quantity × now ÷ at start`, rounded down,
 *    at least 1. An event that leaves Stripe's quantity as it was (a renewal, a card change) changes
 *    nothing; 3 licences sold as one item of quantity 1 are 6 at quantity 2, and 3 licences sold as
 *    quantity 3 are 4 at quantity 4. Until a subscription event tells the item quantity, `sumo_quantity`;
 *  - licences of a direct subscription: the newest quantity (the checkout's line item, then Stripe's).
 */
export function planOf(state: SubscriptionState): { tierId: string | null; quantity: number } {
  const startPrice = state.first?.price?.id;
  const priceChanged = !!state.priceTierId && !!startPrice && !!state.stripePriceId && state.stripePriceId !== startPrice;
  const tierId = priceChanged ? state.priceTierId! : state.tierId;
  const sumo = state.sumoQuantity ?? null;
  if (sumo === null) return { tierId, quantity: state.quantity };
  const start = state.first?.quantity?.n;
  const quantity = start && state.versions.quantity ? Math.max(1, Math.floor((sumo * state.quantity) / start)) : sumo;
  return { tierId, quantity };
}

export interface DerivedStatus {
  status: string | null;
  /** Unix seconds; set only while the status is `past_due`. */
  pastDueSince: number | null;
}

/** Statuses a failed payment turns into `past_due` (with its grace period). */
const GRACE_FROM: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);

/**
 * The status the history implies, in event order. A failed payment asserts `past_due` only on a
 * subscription that had access (active, trialing, or already past_due): a failed retry while it
 * is `unpaid`, `paused`, `incomplete` (or `canceled`) changes nothing, so it never buys a fresh
 * grace period. `pastDueSince` is the first failure of the current run of `past_due`.
 */
export function deriveStatus(history: readonly StatusMark[]): DerivedStatus {
  const latest = latestInvoice(history);
  const ordered = [...history]
    .filter((m) => m.invoice === undefined || m.invoice === latest?.id)
    .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  const terminal = ordered.filter((m) => TERMINAL_STATUSES.has(m.status)).at(-1);
  if (terminal) return { status: terminal.status, pastDueSince: null };
  let status: string | null = null;
  let since: number | null = null;
  for (const mark of ordered) {
    if (mark.paymentFailure && status !== null && !GRACE_FROM.has(status)) continue;
    since = mark.status !== 'past_due' ? null : status === 'past_due' ? Math.min(since ?? mark.at, mark.at) : mark.at;
    status = mark.status;
  }
  return { status, pastDueSince: since };
}

/** The subscription's latest invoice among those its events named: the latest `created`, then the greatest id. */
export function latestInvoice(history: readonly StatusMark[]): { id: string; created: number } | null {
  let latest: { id: string; created: number } | null = null;
  for (const m of history) {
    if (m.invoice === undefined) continue;
    const candidate = { id: m.invoice, created: m.invoiceCreated ?? m.at };
    if (!latest || candidate.created > latest.created || (candidate.created === latest.created && candidate.id > latest.id))
      latest = candidate;
  }
  return latest;
}
