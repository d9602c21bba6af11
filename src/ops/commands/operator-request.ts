import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowUpdateStage } from '@temporalio/client';
import type { Command } from '../command';
import type { OpsContext } from '../context';
import { describeFulfillment, originalStart } from '../workflow-lookup';
import { FailureType, operatorUpdates, type OperatorActionName, type OperatorRequest } from '../../contracts';
import { replayStripeEvent } from '../../ingest/reconcile';
import { FILTER_OPTIONS } from '../select-fulfillments';
import { bulkOperate } from './bulk';

/** How long the CLI waits for the workflow's answer (a worker must be running to give it). */
const ANSWER_WITHIN_MS = 15_000;

/** Answers a fulfillment that waits in NeedsAttention; `retry` also re-runs a failed one. */
export async function operate(
  ctx: OpsContext,
  action: OperatorActionName,
  eventId: string | undefined,
  reason: string | undefined,
  step: string | undefined,
) {
  if (!eventId) throw new Error(`usage: npm run ops -- ${action} <eventId> [--step <step>] --reason "…"`);
  const why = reason?.trim() || (action === 'retry' ? 'cause fixed' : '');
  if (!why) throw new Error(`--reason is required for ${action} (it goes into the audit record)`);
  const description = await describeFulfillment(ctx.temporal, eventId);
  if (!description) {
    const reopened = action === 'retry' ? await reopenLedgerRow(ctx, eventId) : null;
    if (reopened) {
      // Temporal's retention dropped the cancelled or failed run: start it from Stripe's copy.
      const replayed = await replayStripeEvent(ctx.stripe, ctx, eventId, reopened.stripeAccount, ctx.connectAccounts);
      await audit(ctx, eventId, why, 'run gone from Temporal; replayed from Stripe');
      return {
        human: `${eventId} started again from Stripe's event (by ${ctx.operator}: ${why})`,
        json: { eventId, action, by: ctx.operator, reason: why, outcome: replayed.outcome === 'started' ? 'restarted' : replayed.outcome },
      };
    }
    throw new Error(`Temporal has no workflow ${eventId}; if Stripe still has the event: npm run ops -- replay ${eventId}`);
  }

  const execution = description.status.name;
  if (execution === 'RUNNING') return request(ctx, action, eventId, { by: ctx.operator, reason: why, ...(step ? { step } : {}) });
  if (action === 'retry' && execution !== 'COMPLETED') {
    // A closed, failed run (cancelled by an operator, terminated, timed out): run it again from the start.
    const start = await originalStart(ctx.temporal, eventId);
    await reopenLedgerRow(ctx, eventId);
    const outcome = await ctx.fulfillments.start(start);
    if (outcome.duplicate) throw new Error(`Temporal refused a new run of ${eventId}`);
    await audit(ctx, eventId, why, `previous run ${execution}`);
    return {
      human: `${eventId} was ${execution}; started a new run (by ${ctx.operator}: ${why})`,
      json: { eventId, action, by: ctx.operator, reason: why, outcome: 'restarted', previous: execution },
    };
  }
  throw new Error(`${eventId} is ${execution}; nothing to ${action}`);
}

/**
 * Sends the request as the workflow's Update and prints its answer: accepted once the workflow's
 * validator let it in (ACCEPTED), applied once the handler returns (COMPLETED: recorded, and the
 * step scheduled again, skipped, or the run failing as cancelled). A refusal never enters the
 * workflow's history, so this command writes its `operator_actions` row (applied=false) itself.
 */
async function request(ctx: OpsContext, action: OperatorActionName, eventId: string, req: OperatorRequest) {
  const handle = ctx.temporal.workflow.getHandle(eventId);
  const within = <T>(fn: () => Promise<T>) => ctx.temporal.connection.withDeadline(Date.now() + ANSWER_WITHIN_MS, fn);
  try {
    const update = await within(() =>
      handle.startUpdate(operatorUpdates[action], { args: [req], waitForStage: WorkflowUpdateStage.ACCEPTED }),
    );
    const record = await within(() => update.result());
    return {
      human: `${action} ${eventId}: applied to step ${record.step} (by ${record.by}: ${record.reason})`,
      json: { eventId, action, step: record.step, by: record.by, reason: record.reason, outcome: 'applied' },
    };
  } catch (err) {
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
      throw new Error(
        `no answer from ${eventId} within ${ANSWER_WITHIN_MS / 1000} s (is a worker running?); the request may still be applied when one runs: npm run ops -- show ${eventId}`,
      );
    const refusal = refusalOf(err);
    if (!refusal) throw err;
    await ctx.db.operatorAction.create({
      data: { eventId, action, step: refusal.step, by: req.by, reason: req.reason, applied: false, note: refusal.reason },
    });
    return {
      code: 1,
      human: `${action} ${eventId}: refused: ${refusal.reason} (by ${req.by}: ${req.reason})`,
      json: { eventId, action, step: refusal.step, by: req.by, reason: req.reason, outcome: 'refused', refusal: refusal.reason },
    };
  }
}

/** The workflow's reason and step when its validator refused the request; null for any other failure. */
function refusalOf(err: unknown): { reason: string; step: string } | null {
  if (!(err instanceof WorkflowUpdateFailedError)) return null;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.OperatorRequestRefused) return null;
  const details = cause.details?.[0] as { step?: string } | undefined;
  return { reason: cause.message, step: details?.step ?? '-' };
}

/** A cancelled or failed event's ledger row back to `received`, so the new run is not refused
 *  as handled; null when the row is absent or says the event completed. */
async function reopenLedgerRow(ctx: OpsContext, eventId: string): Promise<{ stripeAccount: string | null } | null> {
  const { count } = await ctx.db.stripeEvent.updateMany({
    where: { id: eventId, status: { in: ['cancelled', 'failed'] } },
    data: { status: 'received', lastError: null },
  });
  return count > 0 ? ctx.db.stripeEvent.findUnique({ where: { id: eventId }, select: { stripeAccount: true } }) : null;
}

/** The audit row of an operator's retry that started a new run. */
async function audit(ctx: OpsContext, eventId: string, reason: string, note: string): Promise<void> {
  await ctx.db.operatorAction.create({
    data: { eventId, action: 'retry', step: '(new run)', by: ctx.operator, reason, applied: true, note },
  });
}

/**
 * With an event id, that fulfillment; with filters instead (those of `ops list`, `--status` among
 * them), every matching run, paced and audited one by one (bulk.ts); `--dry-run` lists them only.
 */
const requestCommand = (action: OperatorActionName, summary: string): Command => ({
  summary: `${summary}; with list filters instead of an event id, every matching run (--dry-run lists them)`,
  usage: `${action} <eventId> [--step <step>] --reason "…" | ${action} --status NeedsAttention [list filters] --reason "…" [--dry-run] [--rate 5]`,
  options: {
    reason: { type: 'string' },
    ...FILTER_OPTIONS,
    'dry-run': { type: 'boolean' },
    rate: { type: 'string' },
    limit: { type: 'string' },
  },
  run: (ctx, [eventId], values) => {
    if (eventId === undefined && Object.keys(FILTER_OPTIONS).some((name) => values[name] !== undefined))
      return bulkOperate(ctx, action, values, async (c, a, id, why, step) => (await operate(c, a, id, why, step)).json);
    return operate(ctx, action, eventId, values.reason as string | undefined, values.step as string | undefined);
  },
});

export const retry = requestCommand('retry', 'run the failed step again (NeedsAttention), or start a failed run again');
export const skip = requestCommand('skip', 'go on without the failed step (only steps that can be skipped, e.g. an email)');
export const cancel = requestCommand('cancel', 'give up on a fulfillment waiting for an operator (it fails as CancelledByOperator)');
