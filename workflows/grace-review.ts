import { log } from '@temporalio/workflow';
import type { StepRunner } from './steps';

/** A grace period can be extended by new failures; stop re-checking after this many. */
const MAX_REVIEWS = 5;

/**
 * A past_due subscription keeps access until its grace period ends, and Stripe sends no
 * event at that moment. So the workflow that saw the grace period start waits until it
 * ends (a durable timer; the run shows Completed meanwhile) and syncs access again; if the
 * customer paid meanwhile, the sync finds the subscription active and changes nothing.
 * The end comes from the sync's answer (PAST_DUE_GRACE_PERIOD on the worker).
 */
export async function reviewAccessWhenGraceEnds(
  steps: StepRunner,
  reviewAt: string | null,
  sync: () => Promise<{ reviewAt: string | null }>,
): Promise<void> {
  for (let i = 0; reviewAt && i < MAX_REVIEWS; i++) {
    log.info('past_due grace period: re-checking access when it ends', { reviewAt });
    await steps.waitUntil(new Date(Date.parse(reviewAt) + 1000).toISOString());
    ({ reviewAt } = await sync());
  }
}
