import { createHash } from 'node:crypto';
import type { Priority } from '@temporalio/common';
import type { WorkflowStart } from '../contracts';

/**
 * Temporal task-queue priority keys (1 runs first … 5 last; a task without one counts as 3).
 * Our own customers — direct purchases, their subscriptions' lifecycle, refunds and disputes —
 * go ahead of a marketplace launch's backlog; the reconciliation run keeps the default.
 * A workflow's activities inherit its priority, so its every step jumps the backlog, not only
 * its first. Needs the server's priority matcher (`matching.useNewMatcher`: the dev server
 * launcher sets it; a self-hosted 1.29 server needs it in its dynamic config, docs/deployment.md);
 * a server without it ignores the keys and serves first come, first served
 * (docs/architecture.md, "Our customers before a launch").
 */
export const PriorityKey = { ours: 2, marketplace: 4 } as const;

/**
 * The priority a Stripe event's run starts with. Sumo's — a marketplace checkout, or a
 * lifecycle event of a subscription Sumo sold — are `marketplace`, with the campaign as
 * fairness key (when the server's fairness is on, two launches at once share the workers
 * instead of the first one holding the second); everything else is ours.
 */
export function priorityFor(start: WorkflowStart): Priority {
  switch (start.workflowType) {
    case 'fulfillCheckout':
      return start.input.source === 'sumo' ? marketplace(start.input.sumo?.campaignId) : ours;
    case 'syncSubscription':
      return start.input.sumoCampaignId ? marketplace(start.input.sumoCampaignId) : ours;
    case 'syncPurchase':
      // A refund or a dispute takes access away: prompt whoever sold it (no source on these events).
      return ours;
  }
}

const ours: Priority = { priorityKey: PriorityKey.ours, fairnessKey: 'ours' };

const marketplace = (campaignId: string | null | undefined): Priority => ({
  priorityKey: PriorityKey.marketplace,
  fairnessKey: fairnessKey(`sumo:${campaignId ?? 'unknown'}`),
});

/** Temporal refuses a fairness key over 64 bytes: a longer campaign id is keyed by its digest. */
function fairnessKey(key: string): string {
  if (Buffer.byteLength(key) <= 64) return key;
  return `sumo#${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
