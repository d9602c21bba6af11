import type Stripe from 'stripe';

/** Which verified events this service fulfils. */
export interface AcceptedEvents {
  /** The account mode the service runs in (its Stripe key's); absent: both. */
  livemode?: boolean;
  /**
   * Connected accounts whose events are ours; absent or empty: none. Our own account's events (no
   * `account`) always are — direct purchases and Sumo's alike (Sumo, the Connect platform, creates
   * its Checkout Sessions on our account, so they reach our endpoint as our own events).
   */
  connectAccounts?: readonly string[];
}

export type ForeignReason = 'livemode_mismatch' | 'account_not_allowed';

/** Why a verified event is not ours, or null when it is. */
export function foreignEventReason(event: Stripe.Event, accepted: AcceptedEvents = {}): ForeignReason | null {
  if (accepted.livemode !== undefined && event.livemode !== accepted.livemode) return 'livemode_mismatch';
  const allowed = accepted.connectAccounts ?? [];
  if (event.account && !allowed.includes(event.account)) return 'account_not_allowed';
  return null;
}
