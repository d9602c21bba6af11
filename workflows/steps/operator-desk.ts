import { ApplicationFailure, CancellationScope, condition } from '@temporalio/workflow';
import { call } from '../activity-calls';
import {
  FailureType,
  type FulfillmentState,
  type OperatorAction,
  type OperatorActionName,
  type OperatorRequest,
  type StepPolicy,
} from '../../src/contracts';

/** The attention being waited on: which step, whether it may be skipped, and how to answer it. */
interface Waiting {
  step: string;
  skippable: boolean;
  answer(action: OperatorAction): void;
}

/**
 * Where an operator's `retry`, `skip` and `cancel` Updates are answered (registered in
 * steps/index.ts). A step that needs a decision waits here (`waitForAnswer`) for up to the
 * policy's attention wait; a run riding out an outage may be cancelled (`cancelled`, applied by
 * the step loop at once: the attempt in flight is interrupted).
 *
 * `refusal` is the validator: a request that does not apply is refused before it enters the
 * history, with the reason (OperatorRequestRefused, details naming the step); a refusal leaves no
 * event, so the ops CLI writes its `operator_actions` row. An accepted request is recorded first
 * (the `recordOperatorAction` activity task: while it is written the workflow task is closed, so a
 * second request is refused as "being applied"), then applied.
 */
export class OperatorDesk {
  private waiting: Waiting | null = null;
  private answering: OperatorAction | null = null;
  private attempt: CancellationScope | null = null;
  /** An accepted cancel of a Retrying run: the step loop ends the run with it. */
  cancelled: OperatorAction | null = null;

  constructor(
    private readonly eventId: string,
    private readonly state: FulfillmentState,
    private readonly policy: StepPolicy,
  ) {}

  /** Why this request does not apply now; null when it does. */
  refusal(action: OperatorActionName, req: OperatorRequest): string | null {
    if (this.answering)
      return `not waiting for an operator: ${this.answering.action} by ${this.answering.by} is being applied to step ${this.answering.step}`;
    const retrying = this.state.retrying;
    if (!this.waiting && retrying && !this.cancelled) {
      if (req.step !== undefined && req.step !== retrying.step) return `step ${retrying.step} is retrying, not ${req.step}`;
      if (action !== 'cancel')
        return `step ${retrying.step} is retrying by itself through an outage: nothing to ${action}; cancel stops the run`;
      return null;
    }
    if (!this.waiting) return `not waiting for an operator (status ${this.state.status}, step ${this.state.currentStep ?? '-'})`;
    if (req.step !== undefined && req.step !== this.waiting.step) return `step ${this.waiting.step} is waiting, not ${req.step}`;
    if (action === 'skip' && !this.waiting.skippable)
      return `step ${this.waiting.step} cannot be skipped: the fulfillment needs its result`;
    return null;
  }

  refused(action: OperatorActionName, req: OperatorRequest): ApplicationFailure {
    return ApplicationFailure.create({
      message: this.refusal(action, req) ?? 'refused',
      type: FailureType.OperatorRequestRefused,
      nonRetryable: true,
      details: [{ step: this.waiting?.step ?? this.state.retrying?.step ?? this.state.currentStep ?? '-' }],
    });
  }

  /** The Update handler: records the request, then applies it; returns its audit record. */
  async answer(action: OperatorActionName, req: OperatorRequest): Promise<OperatorAction> {
    const current = this.waiting;
    const step = current?.step ?? this.state.retrying?.step;
    if (!step || this.refusal(action, req) !== null) throw this.refused(action, req); // only a request that skipped its validator
    // Synchronously, before anything awaits: a second request in the same workflow task is refused.
    this.waiting = null;
    const record: OperatorAction = {
      action,
      by: req.by,
      reason: req.reason,
      step,
      at: new Date().toISOString(),
      applied: true,
      note: null,
    };
    this.answering = record;
    try {
      await call('recordOperatorAction', `Audit: ${action} by ${record.by}`, { eventId: this.eventId, action: record }, this.policy);
    } catch (err) {
      // Not recorded, so not applied: the step still waits (unless its wait ran out meanwhile), and the caller gets the failure.
      if (current && this.state.attention?.step === current.step) this.waiting = current;
      throw err;
    } finally {
      this.answering = null;
    }
    this.state.audit.push(record);
    if (current) current.answer(record);
    else {
      this.cancelled = record;
      this.attempt?.cancel();
    }
    return record;
  }

  /** After an operator cancelled a Retrying run: the failure it ends with. */
  throwIfCancelled(step: string, lastError: string | null): void {
    const by = this.cancelled;
    if (!by) return;
    this.state.retrying = null;
    throw ApplicationFailure.create({
      message: `cancelled by ${by.by} at step ${step} while retrying: ${by.reason}${lastError ? ` (last error: ${lastError})` : ''}`,
      type: FailureType.CancelledByOperator,
      nonRetryable: true,
    });
  }

  /** A step that needs a decision waits for an operator's answer; null when nobody answered in time. */
  async waitForAnswer(step: string, skippable: boolean): Promise<OperatorAction | null> {
    let answered: OperatorAction | null = null;
    this.waiting = { step, skippable, answer: (action) => (answered = action) };
    await condition(() => answered !== null, this.policy.attentionWaitMs);
    this.waiting = null;
    // An answer accepted just before the wait ran out is still being recorded: it is applied, not abandoned.
    if (answered === null && this.answering?.step === step) await condition(() => answered !== null || this.answering === null);
    return answered;
  }

  /** Runs one try of a step so that an operator's cancel interrupts it. */
  interruptible<T>(attempt: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    this.attempt = scope;
    return scope.run(attempt).finally(() => {
      if (this.attempt === scope) this.attempt = null;
    });
  }

  /** The pause between two rounds of an outage; ends early when an operator cancels the run. */
  async pause(ms: number): Promise<void> {
    await condition(() => this.cancelled !== null, ms);
  }
}
