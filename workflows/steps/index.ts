import { allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { operatorUpdates, statusQuery, stepPolicyOf, type OperatorRequest, type StepPolicy } from '../../src/contracts';
import { OperatorDesk } from './operator-desk';
import { OutageRetry } from './outage-retry';
import { RunStatus } from './run-status';
import { Steps } from './step-loop';

export type { StepOptions } from './step-loop';
export type StepRunner = Steps;

/**
 * Runs a workflow's body over its steps (step-loop.ts), with the run's message handlers in one
 * block: the `status` query and the operator's `retry`, `skip` and `cancel` Updates
 * (operator-desk.ts). Whatever ends the body with a failure — an operator's cancel, no operator
 * within the attention wait — is marked in the ledger and becomes the run's failure, with the
 * activity's own message and type; a cancellation of the run itself passes through. The run
 * returns only once every handler has finished, so no operator's answer is abandoned half-way.
 */
export async function runSteps<T>(
  input: { eventId: string; policy?: Partial<StepPolicy> },
  body: (steps: StepRunner) => Promise<T>,
): Promise<T> {
  const policy = stepPolicyOf(input);
  const status = new RunStatus();
  const desk = new OperatorDesk(input.eventId, status.state, policy);
  const steps = new Steps(input.eventId, policy, status, desk, new OutageRetry(policy));

  setHandler(statusQuery, () => status.state);
  for (const action of ['retry', 'skip', 'cancel'] as const) {
    setHandler(operatorUpdates[action], (req: OperatorRequest) => desk.answer(action, req), {
      validator: (req: OperatorRequest) => {
        if (desk.refusal(action, req) !== null) throw desk.refused(action, req);
      },
    });
  }

  let ending: { result: T } | { failure: Error };
  try {
    ending = { result: await body(steps) };
    steps.finish();
  } catch (err) {
    if (isCancellation(err)) throw err;
    ending = { failure: await steps.fail(err) };
  }
  await condition(allHandlersFinished);
  if ('failure' in ending) throw ending.failure;
  return ending.result;
}
