import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { StepPolicy } from '../src/contracts';

export type Activities = ReturnType<typeof createActivities>;
export type ActivityName = keyof Activities;
/** Every activity takes one input object. */
export type ActivityInput<K extends ActivityName> = Parameters<Activities[K]>[0];
export type ActivityResult<K extends ActivityName> = Awaited<ReturnType<Activities[K]>>;

/**
 * Every step that gives access runs as a local activity: the worker runs it inside the workflow
 * task, so a step costs no activity task, no extra workflow task and no heartbeat on the Temporal
 * server, and those steps are one billable action (docs/PERFORMANCE.md). Each step is still an
 * event of its own in the history (a marker with the step's summary).
 *
 * One round of a step is the policy's `attemptsPerRound` attempts, backing off from `firstRetryMs`
 * to a minute. Every way an attempt can fail counts: an error, the policy's start-to-close (30 s; a
 * hung dependency), a worker that dies mid-step (its workflow task times out in 10 s; the next worker
 * replays the run and runs the step again, which every step is written to survive: the database
 * steps are idempotent, and a send finds its claim and asks Postmark what was sent,
 * activities/email/send-once.ts). A round that fails throughout is an outage (steps/outage-retry.ts).
 */
function localOptions(policy: StepPolicy, summary: string): LocalActivityOptions {
  return {
    summary,
    startToCloseTimeout: policy.attemptTimeoutMs,
    retry: {
      initialInterval: policy.firstRetryMs,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: policy.attemptsPerRound,
    },
  };
}

/**
 * The activity tasks, each in the worker's activity slots (WORKER_MAX_CONCURRENT_ACTIVITIES), apart
 * from the local activities' (WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES):
 * - the emails and the access events to the product: a Postmark (or a product) that answers in
 *   seconds fills only these slots, never the ones the next buyers' access steps run in (access
 *   never waits for an email; docs/architecture.md);
 * - the audit of an operator's answer: while it is being written the workflow task is closed, so a
 *   second answer that arrives then is refused as "being applied" (steps/operator-desk.ts); as a
 *   local activity the answer would wait inside the workflow task and could land on the next step's
 *   failure instead of the one its operator saw.
 */
const ACTIVITY_TASKS: ReadonlySet<ActivityName> = new Set<ActivityName>([
  'sendWelcomeEmail',
  'sendPurchaseConfirmation',
  'sendPurchaseNotActive',
  'sendPaymentFailedEmail',
  'deliverAccessEvent',
  'recordOperatorAction',
]);

const localActivities = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds' });
const activities = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

type WithOptions<O> = { executeWithOptions(options: O, args: unknown[]): Promise<unknown> };

/** Calls an activity, as a local activity unless it is one of ACTIVITY_TASKS, with a one-line summary the Temporal UI shows on its event. */
export function call<K extends ActivityName>(
  name: K,
  summary: string,
  input: ActivityInput<K>,
  policy: StepPolicy,
): Promise<ActivityResult<K>> {
  const options = localOptions(policy, summary);
  const result = ACTIVITY_TASKS.has(name)
    ? (activities[name] as unknown as WithOptions<ActivityOptions>).executeWithOptions(options, [input])
    : (localActivities[name] as unknown as WithOptions<LocalActivityOptions>).executeWithOptions(options, [input]);
  return result as Promise<ActivityResult<K>>;
}
