/**
 * What a subscription's status means for the user's access.
 *  active, trialing                         → granted
 *  past_due                                 → granted until the grace period after the first failed payment ends
 *  paused, unpaid, canceled, incomplete,
 *  incomplete_expired (and anything else)   → revoked
 */
export interface AccessDecision {
  granted: boolean;
  reason: string;
  /** When the decision changes by itself (end of a past_due grace period), unix ms. */
  reviewAt: number | null;
}

export function decideAccess(status: string | null, pastDueSinceMs: number | null, nowMs: number, graceMs: number): AccessDecision {
  switch (status) {
    case 'active':
    case 'trialing':
      return { granted: true, reason: `subscription is ${status}`, reviewAt: null };
    case 'past_due': {
      const graceEnds = (pastDueSinceMs ?? nowMs) + graceMs;
      return nowMs < graceEnds
        ? { granted: true, reason: 'payment failed; within the grace period', reviewAt: graceEnds }
        : { granted: false, reason: 'payment failed and the grace period is over', reviewAt: null };
    }
    case null:
      return { granted: false, reason: 'no status known yet', reviewAt: null };
    default:
      return { granted: false, reason: `subscription is ${status}`, reviewAt: null };
  }
}
