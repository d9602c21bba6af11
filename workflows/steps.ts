import {
  ActivityFailure,
  setCurrentDetails,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';

import { call } from './activity-calls';
import { describeFailure } from './failure';
import { createOutageRetry, type StepFailure } from './outage-retry';
import {
  cancelSignal,
  retrySignal,
  skipSignal,
  statusQuery,
  type FulfillmentState,
  type FulfillmentStatus,
  type OperatorAction,
  type OperatorRequest,
  type StepRecord,
  FailureType,
  searchAttributes,
} from '../src/contracts';

/** Requests tied to the attention they answer (issue 8.5); histories before it replay without. */
const PATCH_ATTENTION_IDS = 'operator-requests-per-attention';

type Pending = OperatorRequest & { action: OperatorAction['action'] };

/** How long a fulfillment waits for an operator before it fails for good. */
const ATTENTION_TIMEOUT = '30 days';

export interface StepOptions<T> {
  /** What the workflow goes on with when an operator skips this step; absent = cannot be skipped. */
  skipWith?: () => T;
}

/**
 * Runs the workflow's steps so that a step that fails for good (bad data, or an outage
 * that outlasted the activity's bounded retries) does not end the workflow: it becomes
 * `NeedsAttention` (search attribute, `status` query, the run's details in the UI), and
 * waits for an operator's `retry`, `skip` or `cancel` signal. Every signal is kept in the
 * audit trail, and in the database's `operator_actions`.
 */
export function createStepRunner(eventId: string) {
  const recordAudit = (action: OperatorAction) =>
    call('recordOperatorAction', `Audit: ${action.action} by ${action.by}`, { eventId, action });
  const state: FulfillmentState = { status: 'Running', currentStep: null, steps: [], attention: null, audit: [], retrying: null };
  // A queue, not a slot: signals sent while no worker runs arrive together, and each must count.
  let details = '';
  const pending: Pending[] = [];
  let attentions = 0;

  setHandler(statusQuery, () => state);
  const request = (action: OperatorAction['action']) => (req: OperatorRequest) => {
    if (!state.attention) {
      log.warn(`operator ${action} ignored: the fulfillment is not waiting for an operator`, { by: req.by });
      state.audit.push({
        ...req,
        action,
        step: state.currentStep ?? '-',
        at: new Date().toISOString(),
        applied: false,
        note: 'not waiting for an operator',
      });
      return;
    }
    pending.push({ ...req, action });
  };
  setHandler(retrySignal, request('retry'));
  setHandler(skipSignal, request('skip'));
  setHandler(cancelSignal, request('cancel'));

  const setStatus = (status: FulfillmentStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: searchAttributes.FulfillmentStatus, value: status }]);
  };

  const outages = createOutageRetry(state, { setStatus: (status) => setStatus(status), details: () => details });

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
        state.attention = {
          id: ++attentions,
          step: name,
          error: failure.message,
          errorType: failure.type,
          attempts: failure.attempts,
          since: new Date().toISOString(),
        };
        setStatus('NeedsAttention');
        setCurrentDetails(
          `**Needs attention** at step \`${name}\`: ${failure.message}\n\n` +
            `Fix the cause, then \`npm run ops -- retry ${eventId} --reason "…"\` (or \`skip\` / \`cancel\`).`,
        );
        log.warn('fulfillment needs attention', { step: name, error: failure.message, errorType: failure.type });

        const { decision, by } = await waitForOperator(state.attention, options.skipWith !== undefined);
        state.attention = null;
        setCurrentDetails(details);
        setStatus('Running');
        if (decision === 'skip') {
          step.status = 'skipped';
          return options.skipWith!();
        }
        if (decision === 'cancel' || decision === 'timeout') {
          throw ApplicationFailure.create({
            message:
              decision === 'cancel'
                ? `cancelled by ${by?.by} at step ${name}: ${by?.reason} (last error: ${failure.message})`
                : `no operator acted within ${ATTENTION_TIMEOUT} at step ${name} (last error: ${failure.message})`,
            type: decision === 'cancel' ? FailureType.CancelledByOperator : FailureType.AttentionTimedOut,
            nonRetryable: true,
          });
        }
        // retry: loop and run the step again.
      }
    }
  }

  /**
   * Waits for the operator's answer to this attention. A request sent for an earlier attention,
   * or queued behind the answer (say a cancel sent just after a retry, while its audit record was
   * being written), is audited as not applied: it must not act on a later, unrelated failure.
   */
  async function waitForOperator(
    attention: { id: number; step: string },
    skippable: boolean,
  ): Promise<{ decision: OperatorAction['action'] | 'timeout'; by?: OperatorRequest }> {
    const audit = async (req: Pending, applied: boolean, note: string | null) => {
      const action: OperatorAction = { ...req, step: attention.step, at: new Date().toISOString(), applied, note };
      state.audit.push(action);
      await recordAudit(action);
    };
    for (;;) {
      const acted = await condition(() => pending.length > 0, ATTENTION_TIMEOUT);
      if (!acted) return { decision: 'timeout' };
      const req = pending.shift()!;
      if (req.attention !== undefined && req.attention !== attention.id && patched(PATCH_ATTENTION_IDS)) {
        await audit(req, false, `sent for attention #${req.attention}; this is #${attention.id}`);
        continue;
      }
      const refused = req.action === 'skip' && !skippable;
      await audit(req, !refused, refused ? `step ${attention.step} cannot be skipped` : null);
      if (refused) continue;
      while (pending.length > 0 && patched(PATCH_ATTENTION_IDS)) {
        await audit(pending.shift()!, false, `arrived after ${req.action} by ${req.by} had answered step ${attention.step}`);
      }
      return { decision: req.action, by: req };
    }
  }

  const finish = (status: 'Completed' | 'Failed') => {
    state.currentStep = null;
    setStatus(status);
  };

  return {
    state,
    run,
    /** What the run's details in the UI say while nothing is wrong (e.g. "· new user"). */
    describe(text: string) {
      details = text;
      setCurrentDetails(text);
    },
    /**
     * A step after the event is marked done (the end-of-grace access check): a failure waits
     * for an operator like any step, and the run is Completed again once it passes.
     */
    async afterCompletion<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const result = await run(name, fn);
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
