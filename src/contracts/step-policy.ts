/**
 * How a run's steps retry and how long it waits: every duration a workflow's timers use. It is
 * part of each workflow's input, filled by whoever starts the run from its configuration
 * (ACTIVITY_MAX_ATTEMPTS, RETRY_WINDOW, ATTENTION_WAIT; src/temporal/start-fulfillment.ts), so a
 * test runs a 30-day wait in milliseconds. A run started without one uses the defaults.
 */
export interface StepPolicy {
  /** Attempts of a step in one round (ACTIVITY_MAX_ATTEMPTS): failures, timeouts and crashes alike. */
  attemptsPerRound: number;
  /** Backoff between two attempts of a round: from this, doubling, at most a minute. */
  firstRetryMs: number;
  /** How long one attempt may take (start-to-close); past it the attempt counts as failed and is cancelled. */
  attemptTimeoutMs: number;
  /** How long a step rides out an outage, round after round, before it asks an operator (RETRY_WINDOW). */
  retryWindowMs: number;
  /** Pause between two rounds: from this, doubling, at most `maxPauseMs`. */
  firstPauseMs: number;
  maxPauseMs: number;
  /** How long a step that needs a decision waits for an operator before the run fails (ATTENTION_WAIT). */
  attentionWaitMs: number;
}

export const DEFAULT_STEP_POLICY: StepPolicy = {
  attemptsPerRound: 5,
  firstRetryMs: 500,
  attemptTimeoutMs: 30_000,
  retryWindowMs: 6 * 3_600_000,
  firstPauseMs: 15_000,
  maxPauseMs: 2 * 60_000,
  attentionWaitMs: 30 * 86_400_000,
};

/** The policy a run goes by: its input's, each field it lacks from the defaults. */
export function stepPolicyOf(input: { policy?: Partial<StepPolicy> }): StepPolicy {
  return { ...DEFAULT_STEP_POLICY, ...input.policy };
}

/** Attempts of one step in a round the configuration may ask for: more would keep a stuck step
 *  from showing Retrying for too long. */
export const ACTIVITY_ATTEMPTS_CEILING = 25;

/** A span of time as people read it in a run's details and failures ("6.0 h", "15 min", "30 s"). */
export function span(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.round(ms / 86_400_000)} days`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${ms} ms`;
}
