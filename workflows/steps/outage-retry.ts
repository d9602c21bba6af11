import { log, metricMeter } from '@temporalio/workflow';
import { FailureType, span, type FulfillmentState, type StepPolicy } from '../../src/contracts';
import type { StepFailure } from './failure';

/** Counters on the worker's Prometheus endpoint (made when used: the meter needs a workflow context). */
const retryRounds = () =>
  metricMeter.createCounter(
    'fulfillment_step_retry_rounds',
    'rounds',
    'Rounds of a fulfillment step retried through an outage (the run is Retrying); alert when it keeps rising',
  );
const retriesExhausted = () =>
  metricMeter.createCounter(
    'fulfillment_step_retries_exhausted',
    'steps',
    'Steps whose outage outlasted RETRY_WINDOW: the run now needs an operator',
  );

/** The next try of a step riding out an outage: when, and what the run says meanwhile. */
export interface OutagePause {
  pauseMs: number;
  retrying: NonNullable<FulfillmentState['retrying']>;
  details: string;
}

/**
 * Outages never need a person. After a step failed a whole round of attempts with failures worth
 * retrying, the run says Retrying (the step and the last error in its details, the `status` query,
 * the `fulfillment_step_retry_rounds` metric), pauses (from `firstPauseMs`, doubling, at most
 * `maxPauseMs`) and runs the step again, for as long as RETRY_WINDOW from the first failed round.
 * Only then, or for a failure that is a decision (bad data, a refusal), is an operator asked.
 */
export class OutageRetry {
  private outage: { step: string; since: number; rounds: number } | null = null;

  constructor(private readonly policy: StepPolicy) {}

  /**
   * After a step failed: the pause before its next round, or null when an operator must decide.
   * An outage past its window becomes `RetriesExhausted`, saying how long it was retried.
   */
  next(step: string, failure: StepFailure): OutagePause | null {
    if (!failure.retryable) {
      this.outage = null;
      return null;
    }
    const now = Date.now();
    if (this.outage?.step !== step) this.outage = { step, since: now, rounds: 0 };
    const window = this.policy.retryWindowMs;
    const elapsed = now - this.outage.since;
    if (elapsed >= window) {
      failure.message =
        this.outage.rounds > 0
          ? `still failing after ${span(elapsed)} of retries (RETRY_WINDOW ${span(window)}): ${failure.message}`
          : `gave up after ${failure.attempts ?? '?'} attempts: ${failure.message}`;
      failure.type = FailureType.RetriesExhausted;
      retriesExhausted().add(1, { step });
      this.outage = null;
      return null;
    }
    const rounds = ++this.outage.rounds;
    const pauseMs = Math.min(this.policy.firstPauseMs * 2 ** (rounds - 1), this.policy.maxPauseMs, window - elapsed);
    const since = new Date(this.outage.since).toISOString();
    const nextTryAt = new Date(now + pauseMs).toISOString();
    const until = new Date(this.outage.since + window).toISOString();
    retryRounds().add(1, { step });
    log.warn('step retrying through an outage', { step, error: failure.message, round: rounds, pauseMs });
    return {
      pauseMs,
      retrying: { step, error: failure.message, errorType: failure.type, since, rounds, nextTryAt, until },
      details:
        `**Retrying** step \`${step}\` through an outage since ${since} (round ${rounds}): ${failure.message}\n\n` +
        `Next try at ${nextTryAt}. It goes on by itself until ${until}, then asks an operator (NeedsAttention).`,
    };
  }

  /** The step passed (or the run moved on): the next failure starts a new window. */
  reset(): void {
    this.outage = null;
  }
}
