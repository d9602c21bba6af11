import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

/** Runs an activity function as a worker would (activity context, logger, heartbeats),
 *  minus the server. `info` sets e.g. the heartbeat details a previous attempt left. */
export function runActivity<I, O>(fn: (input: I) => Promise<O>, input: I, info?: Partial<Info>): Promise<O> {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') }).run(fn, input);
}
