import { heartbeat } from '@temporalio/activity';

/** Well under the email activities' heartbeat timeout (workflows/activity-calls.ts); the SDK throttles the rest. */
const EVERY_MS = 2_000;

/**
 * Heartbeats while an email is being sent, so a worker that dies mid-send is noticed within the
 * heartbeat timeout, and each beat carries the latest details (`record`), so the next attempt
 * still learns what this one knew.
 */
export async function keepingAlive<T>(work: (record: (details: unknown) => void) => Promise<T>): Promise<T> {
  let latest: unknown;
  const timer = setInterval(() => heartbeat(latest), EVERY_MS);
  try {
    return await work((details) => {
      latest = details;
      heartbeat(details);
    });
  } finally {
    clearInterval(timer);
  }
}
