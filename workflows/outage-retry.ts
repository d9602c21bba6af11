import { log, metricMeter, setCurrentDetails, sleep } from '@temporalio/workflow';
import { FailureType, RETRY_WINDOW_DEFAULT_MS, type FulfillmentState, type FulfillmentStatus } from '../src/contracts';

/** Pause between two rounds of a step's retries: doubling from 15 s, at most 2 minutes. Each round is
 *  itself ACTIVITY_MAX_ATTEMPTS attempts with the activity's own backoff (about 15 s at 5). */
const FIRST_PAUSE_MS = 15_000;
const MAX_PAUSE_MS = 2 * 60_000;

/** A step's failure as the step runner describes it (describeStepFailure). */
export interface StepFailure {
  message: string;
  type: string | null;
  attempts: number | null;
  /** The worker's RETRY_WINDOW, carried by an `Outage` failure's details. */
  retryWindowMs?: number | null;
}

/** Failures that heal by themselves: a round of an outage's attempts, or attempts that never reported back. */
export const isOutage = (failure: StepFailure): boolean =>
  failure.type === FailureType.Outage || failure.type === FailureType.ActivityTimeout;

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

const span = (ms: number) =>
  ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;

/**
 * Issue 19.1, outages never need a person: after a step fails with an outage (the worker's
 * `Outage`, after a round of attempts), the run says so — FulfillmentStatus=Retrying, the step and
 * the last error in its details and `status` query, the `fulfillment_step_retry_rounds` metric —
 * waits (capped backoff) and runs the step again, for as long as the worker's RETRY_WINDOW (from the
 * first failed round). Only then, or for any failure that is a decision (bad data, a refusal), does
 * the step runner ask an operator (NeedsAttention, `RetriesExhausted` for a window that ran out).
 */
export function createOutageRetry(state: FulfillmentState, hooks: { setStatus(status: FulfillmentStatus): void; details(): string }) {
  let outage: { step: string; since: number; rounds: number } | null = null;
  return {
    /**
     * After a step failed: resolves true once it is time to run the step again (an outage within its
     * window), false when an operator must decide — an outage past its window is rewritten as
     * `RetriesExhausted` with how long it was retried.
     */
    async rideOut(step: string, failure: StepFailure): Promise<boolean> {
      if (!isOutage(failure)) {
        outage = null;
        return false;
      }
      const now = Date.now();
      if (outage?.step !== step) outage = { step, since: now, rounds: 0 };
      const window = failure.retryWindowMs ?? RETRY_WINDOW_DEFAULT_MS;
      const elapsed = now - outage.since;
      if (elapsed >= window) {
        failure.message =
          outage.rounds > 0
            ? `still failing after ${span(elapsed)} of retries (RETRY_WINDOW ${span(window)}): ${failure.message}`
            : `gave up after ${failure.attempts ?? '?'} attempts: ${failure.message}`;
        retriesExhausted().add(1, { step });
        failure.type = FailureType.RetriesExhausted;
        outage = null;
        state.retrying = null;
        return false;
      }
      outage.rounds++;
      const pause = Math.min(FIRST_PAUSE_MS * 2 ** (outage.rounds - 1), MAX_PAUSE_MS, window - elapsed);
      const since = new Date(outage.since).toISOString();
      const nextTryAt = new Date(now + pause).toISOString();
      const until = new Date(outage.since + window).toISOString();
      state.retrying = { step, error: failure.message, errorType: failure.type, since, rounds: outage.rounds, nextTryAt, until };
      hooks.setStatus('Retrying');
      setCurrentDetails(
        `**Retrying** step \`${step}\` through an outage since ${since} (round ${outage.rounds}): ${failure.message}\n\n` +
          `Next try at ${nextTryAt}. It goes on by itself until ${until}, then asks an operator (NeedsAttention).`,
      );
      retryRounds().add(1, { step });
      log.warn('step retrying through an outage', { step, error: failure.message, round: outage.rounds, pauseMs: pause });
      await sleep(pause);
      return true;
    },
    /** The step passed: a run that was Retrying is Running again. */
    recovered(): void {
      outage = null;
      if (state.retrying) {
        state.retrying = null;
        hooks.setStatus('Running');
        setCurrentDetails(hooks.details());
      }
    },
  };
}
