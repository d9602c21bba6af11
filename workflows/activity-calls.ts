import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ACTIVITY_ATTEMPTS_CEILING } from '../src/contracts';

export type Activities = ReturnType<typeof createActivities>;

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

const activities = proxyActivities<Activities>(OPTIONS);

/** Calls an activity with a one-line summary the Temporal UI shows on its event. */
export function call<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as unknown as { executeWithOptions(options: ActivityOptions, args: unknown[]): Promise<unknown> };
  return fn.executeWithOptions({ ...OPTIONS, summary }, args) as Promise<Awaited<ReturnType<Activities[K]>>>;
}
