import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { runSteps } from './steps';
import { accessWakeSignal, type AccessDeliveryInput, type AccessDeliverySummary } from '../src/contracts';

/** Events read per look. */
const BATCH = 20;
/** After this many deliveries a run hands on to a fresh one (continue-as-new): its history stays short. */
const MAX_PER_RUN = 100;

/**
 * One user's access events to the product, in the order they were committed: the one run per user
 * (workflow id `access-events-<user id>`), started or woken by signal-with-start after every change,
 * delivers what is pending, oldest first, and ends when nothing is left.
 *
 * Each delivery is a step (`deliverAccessEvent`, its summary naming the event and its reason), so
 * the product's outage is ridden out as a fulfillment's is: Retrying, the later events waiting behind
 * the first, then NeedsAttention once RETRY_WINDOW is over — `ops retry` tries again, `ops skip`
 * goes on without that event (every event is the user's whole access: the next one tells it too).
 * A 4xx from the product asks a person at once (AccessWebhookRejected).
 */
export async function deliverAccessEvents({ userId, policy }: AccessDeliveryInput): Promise<AccessDeliverySummary> {
  let woken = false;
  setHandler(accessWakeSignal, () => {
    woken = true;
  });
  const delivered: string[] = [];
  const more = await runSteps({ eventId: workflowInfo().workflowId, policy }, async (steps): Promise<boolean> => {
    for (;;) {
      woken = false;
      const pending = await steps.call('pendingAccessEvents', `Access events of user ${userId} still to deliver`, { userId, limit: BATCH });
      // A change committed while that read ran has woken this run: look once more before ending.
      if (pending.length === 0 && !woken) return false;
      for (const event of pending) {
        const sent = await steps.call(
          'deliverAccessEvent',
          `Deliver ${event.id} (${event.reason}) to the product`,
          { accessEventId: event.id },
          { skipWith: () => null },
        );
        if (sent === null) await steps.call('skipAccessEvent', `Mark ${event.id} skipped by an operator`, { accessEventId: event.id });
        delivered.push(event.id);
        steps.describe(`${delivered.length} access event(s) delivered · last ${event.id} (${event.reason})`);
        if (delivered.length >= MAX_PER_RUN) return true;
      }
    }
  });
  if (more) await continueAsNew<typeof deliverAccessEvents>({ userId, policy });
  return { userId, delivered };
}
