import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';

import { call, type ActivityInput, type ActivityName, type ActivityResult } from './activity-calls';
import { describeFailure } from './failure';
import { createOutageRetry, type StepFailure } from './outage-retry';
import {
  FailureType,
  operatorUpdates,
  searchAttributes,
  statusQuery,
  type FulfillmentState,
  type FulfillmentStatus,
  type OperatorAction,
  type OperatorActionName,
  type OperatorRequest,
  type StepRecord,
} from '../src/contracts';

/** How long a fulfillment waits for an operator before it fails for good. */
const ATTENTION_TIMEOUT = '30 days';

export interface StepOptions<T> {
  /** What the workflow goes on with when an operator skips this step; absent = cannot be skipped. */
  skipWith?: () => T;
}

export type StepRunner = ReturnType<typeof createStepRunner>;

/**
 * Runs a workflow's body over its steps. Whatever ends it with a failure (an operator's cancel,
 * no operator within the wait) is marked in the ledger and becomes the workflow's failure, with
 * the activity's own message and type; a cancellation of the run itself passes through.
 */
export async function runSteps<T>(eventId: string, body: (steps: StepRunner) => Promise<T>): Promise<T> {
  const steps = createStepRunner(eventId);
  try {
    return await body(steps);
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw await steps.fail(err);
  }
}

/** The attention being waited on: which step, whether it may be skipped, and how to answer it. */
interface Waiting {
  step: string;
  skippable: boolean;
  answer(action: OperatorAction): void;
}

/**
 * Runs the workflow's steps so that a step that fails for good (bad data, or an outage
 * that outlasted the activity's bounded retries) does not end the workflow: it becomes
 * `NeedsAttention` (search attribute, `status` query, the run's details in the UI), and
 * waits for an operator's `retry`, `skip` or `cancel` Update.
 *
 * Each Update's validator refuses a request that does not apply, before it enters the
 * history: the caller gets the reason at once (ApplicationFailure OperatorRequestRefused,
 * its details name the step) and nothing changes. A refusal cannot be written by the
 * workflow (a validator runs no activity and leaves no event), so the ops CLI writes its
 * `operator_actions` row (applied=false). An accepted request is recorded by the handler
 * (the `audit` list and `operator_actions`), then applied; the handler returns its record
 * once the run has acted on it (the step scheduled again, skipped, or the run failing).
 */
function createStepRunner(eventId: string) {
  const state: FulfillmentState = { status: 'Running', currentStep: null, steps: [], attention: null, audit: [], retrying: null };
  let details = '';
  let waiting: Waiting | null = null;
  let answering: OperatorAction | null = null;

  setHandler(statusQuery, () => state);

  function refusal(action: OperatorActionName, req: OperatorRequest): string | null {
    if (!waiting) {
      if (answering)
        return `not waiting for an operator: ${answering.action} by ${answering.by} is being applied to step ${answering.step}`;
      return `not waiting for an operator (status ${state.status}, step ${state.currentStep ?? '-'})`;
    }
    if (req.step !== undefined && req.step !== waiting.step) return `step ${waiting.step} is waiting, not ${req.step}`;
    if (action === 'skip' && !waiting.skippable) return `step ${waiting.step} cannot be skipped: the fulfillment needs its result`;
    return null;
  }

  async function answer(action: OperatorActionName, req: OperatorRequest): Promise<OperatorAction> {
    const current = waiting;
    if (!current) throw refused(action, req); // only on a request that skipped its validator
    // Synchronously, before anything awaits: a second request in the same workflow task is refused.
    waiting = null;
    const record: OperatorAction = {
      action,
      by: req.by,
      reason: req.reason,
      step: current.step,
      at: new Date().toISOString(),
      applied: true,
      note: null,
    };
    answering = record;
    try {
      await call('recordOperatorAction', `Audit: ${action} by ${record.by}`, { eventId, action: record });
    } catch (err) {
      // Not recorded, so not applied: the step still waits (unless its wait ran out meanwhile), and the caller gets the failure.
      if (state.attention?.step === current.step) waiting = current;
      throw err;
    } finally {
      answering = null;
    }
    state.audit.push(record);
    current.answer(record);
    return record;
  }

  const refused = (action: OperatorActionName, req: OperatorRequest) =>
    ApplicationFailure.create({
      message: refusal(action, req) ?? 'refused',
      type: FailureType.OperatorRequestRefused,
      nonRetryable: true,
      details: [{ step: waiting?.step ?? state.currentStep ?? '-' }],
    });

  for (const action of ['retry', 'skip', 'cancel'] as const) {
    setHandler(operatorUpdates[action], (req: OperatorRequest) => answer(action, req), {
      validator: (req: OperatorRequest) => {
        if (refusal(action, req) !== null) throw refused(action, req);
      },
    });
  }

  /** What FulfillmentStatus says now: the run starts with Running (src/temporal/search-attributes.ts). */
  let shown: FulfillmentStatus = 'Running';
  let upserted = false;
  const setStatus = (status: FulfillmentStatus) => {
    state.status = status;
    if (shown === status) return;
    upsertSearchAttributes([{ key: searchAttributes.FulfillmentStatus, value: status }]);
    shown = status;
    upserted = true;
  };

  const outages = createOutageRetry(state, { setStatus: (status) => setStatus(status), details: () => details });

  /** Waits for the operator's answer to the failed step; null when nobody answered in time. */
  async function waitForOperator(step: string, skippable: boolean): Promise<OperatorAction | null> {
    const answered: { action: OperatorAction | null } = { action: null };
    waiting = { step, skippable, answer: (action) => (answered.action = action) };
    await condition(() => answered.action !== null, ATTENTION_TIMEOUT);
    waiting = null;
    return answered.action;
  }

  async function run<T>(name: string, fn: () => Promise<T>, options: StepOptions<T> = {}): Promise<T> {
    const step: StepRecord = { name, status: 'running', tries: 0, attempts: null, lastError: null, errorType: null };
    state.steps.push(step);
    state.currentStep = name;
    for (;;) {
      step.tries++;
      step.status = 'running';
      try {
        const result = await fn();
        step.status = 'completed';
        outages.recovered();
        return result;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = describeStepFailure(err);
        Object.assign(step, { status: 'failed', lastError: failure.message, errorType: failure.type, attempts: failure.attempts });
        // An outage: Retrying, wait, run the step again (until RETRY_WINDOW ends), no operator.
        if (await outages.rideOut(name, failure)) continue;
        Object.assign(step, { lastError: failure.message, errorType: failure.type });
        const skippable = options.skipWith !== undefined;
        state.attention = {
          step: name,
          error: failure.message,
          errorType: failure.type,
          attempts: failure.attempts,
          skippable,
          since: new Date().toISOString(),
        };
        setStatus('NeedsAttention');
        setCurrentDetails(
          `**Needs attention** at step \`${name}\`: ${failure.message}\n\n` +
            `Fix the cause, then \`npm run ops -- retry ${eventId} --reason "…"\` (or ${skippable ? '`skip` / ' : ''}\`cancel\`).`,
        );
        log.warn('fulfillment needs attention', { step: name, error: failure.message, errorType: failure.type });

        const decision = await waitForOperator(name, skippable);
        state.attention = null;
        setCurrentDetails(details);
        setStatus('Running');
        if (decision?.action === 'skip') {
          step.status = 'skipped';
          return options.skipWith!();
        }
        if (!decision || decision.action === 'cancel') {
          throw ApplicationFailure.create({
            message: decision
              ? `cancelled by ${decision.by} at step ${name}: ${decision.reason} (last error: ${failure.message})`
              : `no operator acted within ${ATTENTION_TIMEOUT} at step ${name} (last error: ${failure.message})`,
            type: decision ? FailureType.CancelledByOperator : FailureType.AttentionTimedOut,
            nonRetryable: true,
          });
        }
        // retry: loop and run the step again.
      }
    }
  }

  /** A run whose status never changed closes without a word: its ExecutionStatus is its status
   *  (`fulfillmentStatus` in src/contracts), and an upsert would cost every fulfilment a billable
   *  action and a visibility write. One that ever showed another status (Retrying,
   *  NeedsAttention) says how it ended, so a search for those finds only runs still in them. */
  const finish = (status: 'Completed' | 'Failed') => {
    state.currentStep = null;
    if (upserted) setStatus(status);
    else state.status = status;
  };

  return {
    state,
    /** Runs activity `name` as the step of the same name, with the UI's one-line summary. */
    call<K extends ActivityName, S = never>(
      name: K,
      summary: string,
      input: ActivityInput<K>,
      options: StepOptions<S> = {},
    ): Promise<ActivityResult<K> | S> {
      return run<ActivityResult<K> | S>(name, () => call(name, summary, input), options);
    },
    /** What the run's details in the UI say while nothing is wrong (e.g. "· new user"). */
    describe(text: string) {
      details = text;
      setCurrentDetails(text);
    },
    /** Before a completed run waits (the grace review's sleep): an open run's status is what ops,
     *  the gauges and the UI read from FulfillmentStatus, so it says Completed there. */
    showStatus() {
      setStatus(state.status);
    },
    /**
     * A step after the event is marked done (the end-of-grace access check): a failure waits
     * for an operator like any step, and the run is Completed again once it passes.
     */
    async afterCompletion<T>(name: string, fn: () => Promise<T>, options: StepOptions<T> = {}): Promise<T> {
      const result = await run(name, fn, options);
      if (state.status !== 'Completed') finish('Completed');
      return result;
    },
    /** Marks the event done in the ledger; the run is Completed. */
    async complete(what: string): Promise<void> {
      await run('recordOutcome', () => call('recordOutcome', what, { eventId, status: 'completed', error: null }));
      finish('Completed');
    },
    /** Marks the event failed in the ledger; returns the failure the workflow ends with. */
    async fail(err: unknown) {
      const failure = describeFailure(err);
      const cancelled = failure.type === FailureType.CancelledByOperator;
      await call('recordOutcome', cancelled ? 'Mark the event cancelled by an operator' : 'Mark the event failed', {
        eventId,
        status: cancelled ? 'cancelled' : 'failed',
        error: failure.message,
      });
      finish('Failed');
      return failure;
    },
  };
}

/** The activity's own message and type, and its attempt count when the worker reported it. */
export function describeStepFailure(err: unknown): StepFailure {
  let cause: unknown = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    return {
      message: `activity timed out (${cause.timeoutType}) ${cause.cause ? `after: ${cause.cause.message}` : ''}`.trim(),
      type: FailureType.ActivityTimeout,
      attempts: null,
    };
  }
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { attempt?: number; retryWindowMs?: number } | undefined;
    return {
      message: cause.message,
      type: cause.type ?? null,
      attempts: details?.attempt ?? null,
      retryWindowMs: details?.retryWindowMs ?? null,
    };
  }
  cause = cause instanceof Error ? cause : new Error(String(cause));
  return { message: (cause as Error).message, type: null, attempts: null };
}
