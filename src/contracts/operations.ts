import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * What an on-call engineer can see and do with a running fulfillment. Shared by the
 * workflows (handlers) and the ops CLI (senders); plain definitions, no workflow code.
 */
/** Every value of the FulfillmentStatus search attribute: `ops list --status` and the API's gauge take them from here. */
export const FULFILLMENT_STATUSES = ['Running', 'Completed', 'NeedsAttention', 'Failed'] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

export interface StepRecord {
  name: string;
  status: 'running' | 'completed' | 'failed' | 'skipped';
  /** Times the workflow scheduled the step (1 + operator retries). */
  tries: number;
  /** Activity attempts of the latest try, when known. */
  attempts: number | null;
  lastError: string | null;
  errorType: string | null;
}

export interface OperatorRequest {
  /** Who asks (the CLI sends OPS_USER or $USER). */
  by: string;
  /** Why: goes into the audit record. */
  reason: string;
  /** The attention (its `id`) the operator saw and answers; a request for an earlier one is
   *  audited and not applied. Absent (e.g. sent from the Temporal UI): the current one. */
  attention?: number;
}

export interface OperatorAction extends OperatorRequest {
  action: 'retry' | 'skip' | 'cancel';
  step: string;
  at: string;
  /** False when the request did not apply (e.g. skip of a step that cannot be skipped). */
  applied: boolean;
  note: string | null;
}

export interface FulfillmentState {
  status: FulfillmentStatus;
  currentStep: string | null;
  steps: StepRecord[];
  /** Set while the workflow waits for an operator. */
  attention: {
    /** Numbers the run's attentions (1, 2, …): a request names the one it answers. */
    id: number;
    step: string;
    error: string;
    errorType: string | null;
    attempts: number | null;
    since: string;
  } | null;
  audit: OperatorAction[];
}

/** Run the failed step again (after fixing its cause). */
export const retrySignal = defineSignal<[OperatorRequest]>('retry');
/** Go on without the failed step; only for steps whose result the fulfillment can do without. */
export const skipSignal = defineSignal<[OperatorRequest]>('skip');
/** Give up: the workflow fails with CancelledByOperator (a Stripe resend can start it again). */
export const cancelSignal = defineSignal<[OperatorRequest]>('cancel');
/** Current step, attempts, last error, audit trail. */
export const statusQuery = defineQuery<FulfillmentState>('status');
