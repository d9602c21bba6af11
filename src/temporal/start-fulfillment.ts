import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  DEFAULT_STEP_POLICY,
  type FulfillmentInput,
  type PurchaseEventInput,
  type StepPolicy,
  type SubscriptionEventInput,
  type WorkflowStart,
} from '../contracts';
import { searchAttributesFor } from './search-attributes';
import { priorityFor } from './task-priority';

/** Temporal could not be reached in time: the caller should ask Stripe to retry. */
export class TemporalUnavailableError extends Error {}

export interface StartOutcome {
  workflowId: string;
  duplicate: boolean;
}

export interface FulfillmentStarter {
  start(start: WorkflowStart): Promise<StartOutcome>;
  /** Resolves when the Temporal frontend answers its health check. */
  ping(): Promise<void>;
  /** Whether Temporal holds a run of this workflow id, in any state (running, completed, failed,
   *  terminated, cancelled), within its retention. */
  exists(workflowId: string): Promise<boolean>;
}

/** Stripe waits about 10 s for an answer; give up on Temporal well before that and say 503
 *  (the client retries an unreachable server within this window, riding out a blip). */
const START_DEADLINE_MS = 5_000;
/** A readiness probe should answer quickly either way. */
const PING_DEADLINE_MS = 2_000;

/**
 * Starts the event's workflow (`fulfillCheckout`, `syncSubscription` or `syncPurchase`) with workflow id = Stripe event id.
 *
 * - Conflict policy FAIL: a delivery while the run is open is refused by Temporal → duplicate.
 * - Reuse policy ALLOW_DUPLICATE_FAILED_ONLY: after a run completed, the id is refused
 *   (duplicate); after it failed, was terminated or timed out, a redelivery (Stripe's
 *   "Resend") runs it again.
 * - Priority by source (`priorityFor`): Sumo's runs queue behind ours, never the reverse.
 * - The run's input carries `policy` (ACTIVITY_MAX_ATTEMPTS, RETRY_WINDOW, ATTENTION_WAIT): how its
 *   steps retry and wait, for the whole run.
 */
export function createFulfillmentStarter(client: Client, taskQueue: string, policy: StepPolicy = DEFAULT_STEP_POLICY): FulfillmentStarter {
  const withDeadline = <T>(ms: number, fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + ms, fn);

  return {
    async start(start) {
      const workflowId = start.input.eventId;
      try {
        await withDeadline(START_DEADLINE_MS, () =>
          client.workflow.start(start.workflowType, {
            workflowId,
            taskQueue,
            args: [{ ...start.input, policy }],
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            // Our own customers ahead of a marketplace launch's backlog (task-priority.ts).
            priority: priorityFor(start),
            typedSearchAttributes: searchAttributesFor(start),
            staticSummary: summarise(start),
          }),
        );
        return { workflowId, duplicate: false };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
        if (isUnavailable(err)) throw new TemporalUnavailableError('could not reach Temporal to start the fulfillment', { cause: err });
        throw err;
      }
    },
    async ping() {
      await withDeadline(PING_DEADLINE_MS, () => client.workflowService.getSystemInfo({}));
    },
    async exists(workflowId) {
      try {
        await withDeadline(START_DEADLINE_MS, () => client.workflow.getHandle(workflowId).describe());
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        if (isUnavailable(err)) throw new TemporalUnavailableError('could not reach Temporal to look up the fulfillment', { cause: err });
        throw err;
      }
    },
  };
}

/** gRPC status codes: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const UNAVAILABLE_GRPC_CODES = new Set([4, 8, 14]);

/** Temporal could not be reached or was overloaded (as opposed to refusing the request). */
function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code)) return true;
  }
  return false;
}

/** The one line the Temporal UI shows for the run. Ids and tiers only, no personal data. */
export function summarise(start: WorkflowStart): string {
  switch (start.workflowType) {
    case 'fulfillCheckout':
      return summariseCheckout(start.input);
    case 'syncSubscription':
      return summariseLifecycle(start.input);
    case 'syncPurchase':
      return summarisePurchaseEvent(start.input);
  }
}

function summariseCheckout(input: FulfillmentInput): string {
  const lifetime = input.mode === 'payment' ? ' lifetime' : '';
  const what = input.source === 'sumo' ? `Sumo${lifetime} purchase (campaign ${input.sumo?.campaignId})` : `Direct${lifetime} purchase`;
  const tier = input.tierId ? ` · tier ${input.tierId}` : ' · tier from line items';
  const quantity = input.rawQuantity ? ` ×${input.rawQuantity}` : '';
  const payment = input.mode === 'payment' && input.paymentIntentId ? ` · ${input.paymentIntentId}` : '';
  return `${what}${tier}${quantity} · ${input.checkoutSessionId}${payment}`;
}

function summarisePurchaseEvent(input: PurchaseEventInput): string {
  if (input.dispute) return `Dispute ${input.dispute.status} · ${input.dispute.disputeId} · ${input.paymentIntentId}`;
  const refund = input.refund;
  const amount =
    refund?.kind === 'charge'
      ? `${refund.amountRefunded} of ${refund.chargeAmount}${refund.fullyRefunded ? ' (full)' : ''}`
      : `${refund?.amount}`;
  return `Refund ${amount} · ${input.paymentIntentId}`;
}

function summariseLifecycle(input: SubscriptionEventInput): string {
  const what = input.eventType.replace(/^customer\./, '').replace(/^checkout\.session\./, 'checkout ');
  const status = input.status ? ` → ${input.status}` : '';
  const invoice = input.invoice ? ` · ${input.invoice.invoiceId}` : '';
  return `Subscription ${what}${status} · ${input.stripeSubscriptionId}${invoice}`;
}
