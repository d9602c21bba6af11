import { ApplicationFailure, isCancellation, log, sleep } from '@temporalio/workflow';
import { call, type ActivityInput, type ActivityName, type ActivityResult } from '../activity-calls';
import { FailureType, span, type StepPolicy, type StepRecord } from '../../src/contracts';
import { describeFailure, runFailure, type StepFailure } from './failure';
import type { OperatorDesk } from './operator-desk';
import type { OutageRetry } from './outage-retry';
import type { RunStatus } from './run-status';

export interface StepOptions<T> {
  /** What the workflow goes on with when an operator skips this step; absent = cannot be skipped. */
  skipWith?: () => T;
  /** The step's name when it is not the activity's (e.g. `reviewAccessWhenGraceEnds` runs `syncAccess`). */
  step?: string;
}

/**
 * A workflow's steps, each one activity: run, and when it fails for good, ride out the outage
 * (Retrying) or ask an operator (NeedsAttention) — never end the run on a failure that a retry or
 * a decision can mend. What workflows call; the rest of steps/ is its machinery.
 */
export class Steps {
  /** What the run goes back to when nothing is wrong: Running, or Completed once the event is marked done. */
  private phase: 'Running' | 'Completed' = 'Running';

  constructor(
    private readonly eventId: string,
    private readonly policy: StepPolicy,
    private readonly status: RunStatus,
    private readonly desk: OperatorDesk,
    private readonly outages: OutageRetry,
  ) {}

  /** Runs activity `name` as a step, with the UI's one-line summary. */
  call<K extends ActivityName, S = never>(
    name: K,
    summary: string,
    input: ActivityInput<K>,
    options: StepOptions<S> = {},
  ): Promise<ActivityResult<K> | S> {
    return this.run<ActivityResult<K> | S>(options.step ?? name, () => call(name, summary, input, this.policy), options);
  }

  /** What the run's details in the UI say while nothing is wrong (e.g. "· new user"). */
  describe(text: string): void {
    this.status.describe(text);
  }

  /** Marks the event done in the ledger; the run is Completed (steps after it, such as a grace review, may follow). */
  async complete(what: string): Promise<void> {
    await this.call('recordOutcome', what, { eventId: this.eventId, status: 'completed', error: null });
    this.phase = 'Completed';
    this.status.set('Completed');
  }

  /** Waits durably until `at` (ISO), the run's status shown while it waits. */
  async waitUntil(at: string): Promise<void> {
    this.status.beforeWait();
    const ms = Date.parse(at) - Date.now();
    if (ms > 0) await sleep(ms);
  }

  /** Marks the event failed (or cancelled) in the ledger, or, once it was marked done, only why (recordOutcome); returns the run's failure. */
  async fail(err: unknown): Promise<ApplicationFailure> {
    const failure = err instanceof ApplicationFailure ? err : runFailure(describeFailure(err));
    const cancelled = failure.type === FailureType.CancelledByOperator;
    await call(
      'recordOutcome',
      cancelled ? 'Mark the event cancelled by an operator' : 'Mark the event failed',
      { eventId: this.eventId, status: cancelled ? 'cancelled' : 'failed', error: failure.message },
      this.policy,
    );
    this.status.close('Failed');
    return failure;
  }

  /** As the body returns: the run is Completed. */
  finish(): void {
    this.status.close('Completed');
  }

  private async run<T>(name: string, attempt: () => Promise<T>, options: StepOptions<T>): Promise<T> {
    const { state } = this.status;
    const step: StepRecord = { name, status: 'running', tries: 0, attempts: null, lastError: null, errorType: null };
    state.steps.push(step);
    state.currentStep = name;
    for (;;) {
      this.desk.throwIfCancelled(name, step.lastError);
      step.tries++;
      step.status = 'running';
      let failure: StepFailure;
      try {
        const result = await this.desk.interruptible(attempt);
        step.status = 'completed';
        this.recovered();
        return result;
      } catch (err) {
        this.desk.throwIfCancelled(name, step.lastError);
        if (isCancellation(err)) throw err;
        failure = describeFailure(err, this.policy.attemptsPerRound);
      }
      Object.assign(step, { status: 'failed', lastError: failure.message, errorType: failure.type, attempts: failure.attempts });
      const pause = this.outages.next(name, failure);
      if (pause) {
        state.retrying = pause.retrying;
        this.status.set('Retrying', pause.details);
        await this.desk.pause(pause.pauseMs);
        continue;
      }
      state.retrying = null;
      Object.assign(step, { lastError: failure.message, errorType: failure.type });
      const decision = await this.askOperator(name, failure, options.skipWith !== undefined);
      if (decision === 'skip') {
        step.status = 'skipped';
        return options.skipWith!();
      }
    }
  }

  /** NeedsAttention until an operator answers: 'retry' or 'skip'; a cancel or no answer ends the run. */
  private async askOperator(name: string, failure: StepFailure, skippable: boolean): Promise<'retry' | 'skip'> {
    const { state } = this.status;
    state.attention = {
      step: name,
      error: failure.message,
      errorType: failure.type,
      attempts: failure.attempts,
      skippable,
      since: new Date().toISOString(),
    };
    this.status.set(
      'NeedsAttention',
      `**Needs attention** at step \`${name}\`: ${failure.message}\n\n` +
        `Fix the cause, then \`npm run ops -- retry ${this.eventId} --reason "…"\` (or ${skippable ? '`skip` / ' : ''}\`cancel\`).`,
    );
    log.warn('fulfillment needs attention', { step: name, error: failure.message, errorType: failure.type });
    const decision = await this.desk.waitForAnswer(name, skippable);
    state.attention = null;
    if (decision?.action === 'retry' || decision?.action === 'skip') {
      this.status.set(this.phase);
      return decision.action;
    }
    throw ApplicationFailure.create({
      message: decision
        ? `cancelled by ${decision.by} at step ${name}: ${decision.reason} (last error: ${failure.message})`
        : `no operator acted within ${span(this.policy.attentionWaitMs)} at step ${name} (last error: ${failure.message})`,
      type: decision ? FailureType.CancelledByOperator : FailureType.AttentionTimedOut,
      nonRetryable: true,
    });
  }

  /** A step passed: a run that was Retrying goes back to what it was. */
  private recovered(): void {
    this.outages.reset();
    if (!this.status.state.retrying) return;
    this.status.state.retrying = null;
    this.status.set(this.phase);
  }
}
