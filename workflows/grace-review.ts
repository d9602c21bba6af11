import { log, sleep } from '@temporalio/workflow';

/** A grace period can be extended by new failures; stop re-checking after this many. */
const MAX_REVIEWS = 5;

/**
 * A past_due subscription keeps access until its grace period ends, and Stripe sends no
 * event at that moment. So the workflow that saw the grace period start sleeps until it
 * ends (a durable timer) and syncs access again; if the customer paid meanwhile, the sync
 * finds the subscription active and changes nothing.
 */
export async function reviewAccessWhenGraceEnds(
  reviewAt: string | null,
  sync: () => Promise<{ reviewAt: string | null }>,
  beforeWaiting: () => void,
): Promise<void> {
  for (let i = 0; reviewAt && i < MAX_REVIEWS; i++) {
    const wait = Date.parse(reviewAt) - Date.now();
    log.info('past_due grace period: re-checking access when it ends', { reviewAt });
    beforeWaiting();
    if (wait > 0) await sleep(wait + 1000);
    ({ reviewAt } = await sync());
  }
}
