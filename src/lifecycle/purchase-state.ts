import { eventOrderKey, isNewer } from './event-order';

/**
 * What refunds and disputes have said about one one-time purchase, whatever order they came in,
 * and the access that follows. The rules:
 *  - refunds only add up: a charge's `amount_refunded` never goes down, so the refunded amount is
 *    the largest a `charge.refunded` reported, or the sum of the distinct succeeded refunds
 *    (`refund.*`), whichever is larger; a duplicate changes nothing, and so does order;
 *  - each dispute keeps the status of its newest event (created < closed within a second), and a
 *    lost dispute is final: no later event about it, or about another dispute, gives access back;
 *  - amounts are the charge's, in the charge's currency (what refund events name): a checkout session
 *    can show one currency and charge in another (Adaptive Pricing), so the session's total counts
 *    only when no charge total is known and its currency is the refunds' own.
 */
export interface PurchaseState {
  /** The largest `amount_refunded` a `charge.refunded` reported. */
  chargeRefunded: number;
  /** A `charge.refunded` said `refunded: true` (the whole charge). */
  fullyRefunded: boolean;
  /** The charge's amount, as the refund events report it. */
  chargeAmount: number | null;
  /** The charge's currency (what every refund of it is in), as the refund events report it. */
  currency?: string | null;
  /** Succeeded refunds seen one by one (`refund.*`), id → amount. */
  refunds: Record<string, number>;
  /** Dispute id → the status its newest event gave, with that event's ordering key. */
  disputes: Record<string, { v: string; status: string }>;
}

export type PurchaseEventPatch = {
  eventId: string;
  eventType: string;
  /** The event's `created`, unix seconds. */
  created: number;
} & (
  | {
      refund:
        | { kind: 'charge'; chargeAmount: number; amountRefunded: number; fullyRefunded: boolean; currency?: string | null }
        | { kind: 'refund'; refundId: string; amount: number; currency?: string | null };
    }
  | { dispute: { disputeId: string; status: string } }
);

export const emptyPurchaseState = (): PurchaseState => ({
  chargeRefunded: 0,
  fullyRefunded: false,
  chargeAmount: null,
  refunds: {},
  disputes: {},
});

/** Reads a stored state (the `events` column), tolerating an empty `{}`. */
export const purchaseStateOf = (stored: unknown): PurchaseState => ({ ...emptyPurchaseState(), ...(stored as Partial<PurchaseState>) });

export function applyPurchaseEvent(state: PurchaseState, patch: PurchaseEventPatch): PurchaseState {
  const next: PurchaseState = { ...state, refunds: { ...state.refunds }, disputes: { ...state.disputes } };
  if ('refund' in patch) {
    const refund = patch.refund;
    if (refund.kind === 'charge') {
      next.chargeRefunded = Math.max(state.chargeRefunded, refund.amountRefunded);
      next.fullyRefunded = state.fullyRefunded || refund.fullyRefunded;
      next.chargeAmount = refund.chargeAmount;
    } else {
      next.refunds[refund.refundId] = refund.amount;
    }
    if (refund.currency) next.currency = refund.currency.toLowerCase();
    return next;
  }
  const { disputeId, status } = patch.dispute;
  const key = eventOrderKey(patch.created, patch.eventType, patch.eventId);
  const known = state.disputes[disputeId];
  if (known?.status === 'lost') return next;
  if (status === 'lost' || isNewer(key, known?.v)) next.disputes[disputeId] = { v: key, status };
  return next;
}

/** The refunded amount the events imply (see above). */
export const refundedAmount = (state: PurchaseState): number =>
  Math.max(
    state.chargeRefunded,
    Object.values(state.refunds).reduce((sum, amount) => sum + amount, 0),
  );

/** Dispute statuses after which the money stays with the seller (access comes back). */
const DISPUTE_SETTLED_FOR_SELLER: ReadonlySet<string> = new Set(['won', 'warning_closed', 'prevented']);

export type PurchaseAccessDecision =
  | {
      kind: 'decided';
      status: 'awaiting_checkout' | 'active' | 'partially_refunded' | 'refunded' | 'disputed' | 'dispute_lost';
      granted: boolean;
      activeQuantity: number;
      reason: string;
    }
  | {
      kind: 'needs_decision';
      reason: string;
      /** What the purchase keeps until an operator decides: the codes no refund fully covers. */
      activeQuantity: number;
    };

/**
 * What the purchase's access is: none before its checkout; revoked for good once a dispute is
 * lost; revoked by a full refund; suspended while a dispute is open (whatever the refunds left,
 * whole codes or not); else the bought codes less the refunded share — when the refunded amount
 * is a whole number of codes (amount_refunded / (amount / quantity)), otherwise an operator
 * decides, and until then the purchase keeps the codes no refund fully covers.
 * The amount is the charge's (see above); the session's `amount_total` only in the refunds' currency.
 */
export function decidePurchaseAccess(
  purchase: { linked: boolean; quantity: number; amount: number | null; currency?: string | null },
  state: PurchaseState,
): PurchaseAccessDecision {
  const { quantity } = purchase;
  if (!purchase.linked)
    return { kind: 'decided', status: 'awaiting_checkout', granted: false, activeQuantity: 0, reason: 'checkout not recorded yet' };
  const disputes = Object.values(state.disputes);
  if (disputes.some((d) => d.status === 'lost')) {
    return { kind: 'decided', status: 'dispute_lost', granted: false, activeQuantity: 0, reason: 'a dispute was lost' };
  }
  const amount = chargeTotal(purchase, state);
  const refunded = refundedAmount(state);
  if (state.fullyRefunded || (amount !== null && amount > 0 && refunded >= amount)) {
    return { kind: 'decided', status: 'refunded', granted: false, activeQuantity: 0, reason: 'fully refunded' };
  }
  const known = amount !== null && amount > 0;
  // Codes the refunds cover in full (integers, no rounding): refunded × quantity / amount, rounded down.
  const wholeCodesRefunded = refunded > 0 && known ? Math.floor((refunded * quantity) / amount) : 0;
  const whole = refunded === 0 || (known && (refunded * quantity) % amount === 0);
  const activeQuantity = quantity - wholeCodesRefunded;
  if (disputes.some((d) => !DISPUTE_SETTLED_FOR_SELLER.has(d.status))) {
    return { kind: 'decided', status: 'disputed', granted: false, activeQuantity, reason: 'a dispute is open' };
  }
  if (!whole) {
    const measure = known ? String(amount) : 'an unknown amount (no charge total in the refunds’ currency)';
    return {
      kind: 'needs_decision',
      reason: `refunded ${refunded} of ${measure} for ${quantity} code(s), which is no whole number of codes`,
      activeQuantity,
    };
  }
  return activeQuantity < quantity
    ? {
        kind: 'decided',
        status: 'partially_refunded',
        granted: true,
        activeQuantity,
        reason: `${quantity - activeQuantity} of ${quantity} code(s) refunded`,
      }
    : { kind: 'decided', status: 'active', granted: true, activeQuantity, reason: 'paid' };
}

/** The charge's total as the refund events report it; else the session's, when it is in the same currency. */
function chargeTotal(purchase: { amount: number | null; currency?: string | null }, state: PurchaseState): number | null {
  if (state.chargeAmount !== null) return state.chargeAmount;
  const sessionCurrency = purchase.currency?.toLowerCase() ?? null;
  if (state.currency && sessionCurrency && state.currency !== sessionCurrency) return null;
  return purchase.amount;
}
