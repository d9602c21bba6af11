import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';

/** Runs an activity function as a worker would (activity context, logger, heartbeats),
 *  minus the server. `info` sets e.g. the heartbeat details a previous attempt left. */
export function runActivity<I, O>(fn: (input: I) => Promise<O>, input: I, info?: Partial<Info>, logs?: LogEntry[]): Promise<O> {
  const logger = logs ? new DefaultLogger('TRACE', (entry) => logs.push(entry)) : new DefaultLogger('ERROR');
  return new MockActivityEnvironment(info, { logger }).run(fn, input);
}
