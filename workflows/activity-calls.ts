import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ACTIVITY_ATTEMPTS_CEILING } from '../src/contracts';

export type Activities = ReturnType<typeof createActivities>;
export type ActivityName = keyof Activities;
/** Every activity takes one input object. */
export type ActivityInput<K extends ActivityName> = Parameters<Activities[K]>[0];
export type ActivityResult<K extends ActivityName> = Awaited<ReturnType<Activities[K]>>;

/**
 * Retries back off from 0.5 s to 1 min. The worker bounds them (ACTIVITY_MAX_ATTEMPTS turns
 * the last failure non-retryable, with its attempt count); `maximumAttempts` here is only a
 * backstop for attempts that never report back (timeouts, a crashed worker).
 * Every attempt heartbeats (the email activities themselves, the rest through the worker's
 * keep-alive interceptor), so one whose worker died is retried after the 10 s heartbeat
 * timeout; 30 s start-to-close still ends one that is alive but stuck.
 */
const OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: ACTIVITY_ATTEMPTS_CEILING },
};
const LOCAL_OPTIONS: LocalActivityOptions = { startToCloseTimeout: OPTIONS.startToCloseTimeout, retry: OPTIONS.retry };

/**
 * Steps that only read our catalogue, Stripe's line items or write our own database, in
 * milliseconds, run as local activities (issue 12): the worker runs them inside the workflow
 * task, so they cost no activity task and no extra workflow task on the Temporal server. Each
 * is still one event of its own in the history (a marker with the step's summary), still
 * retried with the same policy and bounded by ACTIVITY_MAX_ATTEMPTS, and still a step the
 * step runner hands to an operator. Sends (welcome and payment-failed emails) stay activities:
 * they take Postmark's time and keep their heartbeat details (send-once.ts).
 */
const LOCAL_STEPS: ReadonlySet<ActivityName> = new Set<ActivityName>([
  'resolvePurchase',
  'findOrCreateUser',
  'linkSubscription',
  'provisionAccess',
  'recordOutcome',
]);

const activities = proxyActivities<Activities>(OPTIONS);
const localActivities = proxyLocalActivities<Activities>(LOCAL_OPTIONS);

type WithOptions<O> = { executeWithOptions(options: O, args: unknown[]): Promise<unknown> };

/** Calls an activity with a one-line summary the Temporal UI shows on its event. */
export function call<K extends ActivityName>(name: K, summary: string, input: ActivityInput<K>): Promise<ActivityResult<K>> {
  const result = LOCAL_STEPS.has(name)
    ? (localActivities[name] as unknown as WithOptions<LocalActivityOptions>).executeWithOptions({ ...LOCAL_OPTIONS, summary }, [input])
    : (activities[name] as unknown as WithOptions<ActivityOptions>).executeWithOptions({ ...OPTIONS, summary }, [input]);
  return result as Promise<ActivityResult<K>>;
}
