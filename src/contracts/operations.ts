import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * What an on-call engineer can see and do with a running fulfillment. Shared by the
 * workflows (handlers) and the ops CLI (callers); plain definitions, no workflow code.
 */
/** Every value of the FulfillmentStatus search attribute: `ops list --status` and the API's gauge take them from here.
 *  Retrying: a step rides out an outage (its retries go on, the run says which step and error). */
export const FULFILLMENT_STATUSES = ['Running', 'Retrying', 'Completed', 'NeedsAttention', 'Failed'] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

/** A run's status: while it runs, its FulfillmentStatus (absent: Running); once closed, its
 *  ExecutionStatus — Completed, or Failed (failed, terminated, cancelled, timed out). The attribute
 *  is set only while something is unusual (workflows/steps/run-status.ts), and a run terminated from
 *  outside keeps the last one it showed, so a closed run's attribute is never read as its status. */
export function fulfillmentStatus(execution: string, attribute: string | null): FulfillmentStatus {
  if (execution === 'RUNNING')
    return (FULFILLMENT_STATUSES as readonly string[]).includes(attribute ?? '') ? (attribute as FulfillmentStatus) : 'Running';
  return execution === 'COMPLETED' ? 'Completed' : 'Failed';
}

/** The visibility query for runs of one status, as `fulfillmentStatus` reads them (a completed
 *  run may stay open for a grace review, and then says so in FulfillmentStatus). Every open status
 *  asks ExecutionStatus = 'Running' too: a run terminated in the UI keeps its last attribute. */
export function runsWithStatus(status: FulfillmentStatus): string {
  switch (status) {
    case 'Completed':
      return "(ExecutionStatus = 'Completed' OR (ExecutionStatus = 'Running' AND FulfillmentStatus = 'Completed'))";
    case 'Failed':
      return "ExecutionStatus IN ('Failed', 'Terminated', 'Canceled', 'TimedOut')";
    default:
      return openRunsWithStatus(status);
  }
}

/** The visibility query for open runs that show this status (the `fulfillments_open` gauge). */
export function openRunsWithStatus(status: FulfillmentStatus): string {
  // Running is the attribute's absence (runs started before it was left unset said Running).
  if (status === 'Running') return "(ExecutionStatus = 'Running' AND (FulfillmentStatus IS NULL OR FulfillmentStatus = 'Running'))";
  return `(ExecutionStatus = 'Running' AND FulfillmentStatus = '${status}')`;
}

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
  /** The step the operator means to answer (`ops … --step`); refused when another step is the
   *  one waiting. Absent (the CLI without --step, the Temporal UI): whichever step waits. */
  step?: string;
}

export type OperatorActionName = 'retry' | 'skip' | 'cancel';

export interface OperatorAction {
  action: OperatorActionName;
  by: string;
  reason: string;
  step: string;
  at: string;
  /** False for a refused request: the ops CLI records those (a refusal never enters the history). */
  applied: boolean;
  note: string | null;
}

export interface FulfillmentState {
  status: FulfillmentStatus;
  currentStep: string | null;
  steps: StepRecord[];
  /** Set while the workflow waits for an operator. */
  attention: {
    step: string;
    error: string;
    errorType: string | null;
    attempts: number | null;
    /** Whether `skip` is allowed here (the workflow can go on without this step's result). */
    skippable: boolean;
    since: string;
  } | null;
  /** The operator requests this run applied (refusals are in `operator_actions` only). */
  audit: OperatorAction[];
  /** Set while a step rides out an outage on its own (status Retrying): no operator is needed. */
  retrying: {
    step: string;
    error: string;
    errorType: string | null;
    /** When the step's first round of attempts failed. */
    since: string;
    rounds: number;
    nextTryAt: string;
    /** When it stops retrying and asks an operator (RETRY_WINDOW after `since`). */
    until: string;
  } | null;
}

/**
 * Operator requests are Workflow Updates: the workflow's validator refuses a request that
 * does not apply (not waiting, another step waiting, a step that cannot be skipped) before
 * it enters the history, with the reason as the error's message; an accepted one returns
 * once it is applied (the step scheduled again, skipped, or the run failing as cancelled),
 * with its audit record.
 */
/** Run the failed step again (after fixing its cause). */
export const retryUpdate = defineUpdate<OperatorAction, [OperatorRequest]>('retry');
/** Go on without the failed step; only for steps whose result the fulfillment can do without. */
export const skipUpdate = defineUpdate<OperatorAction, [OperatorRequest]>('skip');
/** Give up: the workflow fails with CancelledByOperator (only `ops retry` starts it again). */
export const cancelUpdate = defineUpdate<OperatorAction, [OperatorRequest]>('cancel');
export const operatorUpdates = { retry: retryUpdate, skip: skipUpdate, cancel: cancelUpdate } as const;

/** Current step, attempts, last error, audit trail. */
export const statusQuery = defineQuery<FulfillmentState>('status');
