import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ACTIVITY_ATTEMPTS_CEILING } from '../src/contracts';

export type Activities = ReturnType<typeof createActivities>;
export type ActivityName = keyof Activities;
/** Every activity takes one input object. */
export type ActivityInput<K extends ActivityName> = Parameters<Activities[K]>[0];
export type ActivityResult<K extends ActivityName> = Awaited<ReturnType<Activities[K]>>;

/**
 * Every step but one runs as a local activity: the worker runs it inside the workflow task, so a step
 * costs no activity task, no extra workflow task and no heartbeat on the Temporal server, and
 * a run's steps are one billable action (issue 12 made the database steps local; issue 22 the
 * sends too, which halved the server's CPU per fulfilment, docs/PERFORMANCE.md). Each step is
 * still an event of its own in the history (a marker with the step's summary), retried with
 * this policy, bounded by ACTIVITY_MAX_ATTEMPTS, and handed to an operator by the step runner.
 *
 * Retries back off from 0.5 s to 1 min. The worker bounds them (ACTIVITY_MAX_ATTEMPTS turns
 * the last failure non-retryable, with its attempt count); `maximumAttempts` is only a
 * backstop. A worker that dies mid-step leaves its workflow task to time out (10 s); the next
 * worker replays the run and runs the step again, which every step is written to survive: the
 * database steps are idempotent, and a send finds its claim and asks Postmark what was sent
 * (activities/email/send-once.ts). 30 s start-to-close ends an attempt that is alive but stuck.
 */
const LOCAL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: ACTIVITY_ATTEMPTS_CEILING },
};
const OPTIONS: ActivityOptions = LOCAL_OPTIONS;

/**
 * The one activity task: the audit of an operator's answer. While it is being written the
 * workflow task is closed, so a second answer that arrives then is refused as "being applied"
 * (workflows/steps.ts); as a local activity the answer would wait inside the workflow task and
 * could land on the next step's failure instead of the one its operator saw.
 */
const ACTIVITY_TASKS: ReadonlySet<ActivityName> = new Set<ActivityName>(['recordOperatorAction']);

const localActivities = proxyLocalActivities<Activities>(LOCAL_OPTIONS);
const activities = proxyActivities<Activities>(OPTIONS);

type WithOptions<O> = { executeWithOptions(options: O, args: unknown[]): Promise<unknown> };

/** Calls an activity, as a local activity unless it is one of ACTIVITY_TASKS, with a one-line summary the Temporal UI shows on its event. */
export function call<K extends ActivityName>(name: K, summary: string, input: ActivityInput<K>): Promise<ActivityResult<K>> {
  const result = ACTIVITY_TASKS.has(name)
    ? (activities[name] as unknown as WithOptions<ActivityOptions>).executeWithOptions({ ...OPTIONS, summary }, [input])
    : (localActivities[name] as unknown as WithOptions<LocalActivityOptions>).executeWithOptions({ ...LOCAL_OPTIONS, summary }, [input]);
  return result as Promise<ActivityResult<K>>;
}
