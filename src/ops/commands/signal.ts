import type { Command } from '../command';
import type { OpsContext } from '../context';
import { describeFulfillment, originalStart, queryState } from '../workflow-lookup';
import { cancelSignal, retrySignal, skipSignal } from '../../contracts';
import { replayStripeEvent } from '../../ingest/reconcile';
import { FILTER_OPTIONS } from '../select-fulfillments';
import { bulkOperate } from './bulk';

const SIGNALS = { retry: retrySignal, skip: skipSignal, cancel: cancelSignal };

/** Signals a fulfillment that waits in NeedsAttention; `retry` also re-runs a failed one. */
export async function operate(
  ctx: OpsContext,
  action: keyof typeof SIGNALS,
  eventId: string | undefined,
  reason: string | undefined,
  /** The attention the caller saw (a bulk run's selection); default: the one the run reports now. */
  seen?: number,
) {
  if (!eventId) throw new Error(`usage: npm run ops -- ${action} <eventId> --reason "…"`);
  const why = reason?.trim() || (action === 'retry' ? 'cause fixed' : '');
  if (!why) throw new Error(`--reason is required for ${action} (it goes into the audit record)`);
  const description = await describeFulfillment(ctx.temporal, eventId);
  if (!description) {
    const reopened = action === 'retry' ? await reopenLedgerRow(ctx, eventId) : null;
    if (reopened) {
      // Temporal's retention dropped the cancelled or failed run: start it from Stripe's copy.
      const replayed = await replayStripeEvent(ctx.stripe, ctx, eventId, reopened.stripeAccount);
      await audit(ctx, eventId, why, 'run gone from Temporal; replayed from Stripe');
      return {
        human: `${eventId} started again from Stripe's event (by ${ctx.operator}: ${why})`,
        json: { eventId, action, by: ctx.operator, reason: why, outcome: replayed.outcome === 'started' ? 'restarted' : replayed.outcome },
      };
    }
    throw new Error(`Temporal has no workflow ${eventId}; if Stripe still has the event: npm run ops -- replay ${eventId}`);
  }

  const execution = description.status.name;
  if (execution === 'RUNNING') {
    const state = await queryState(ctx.temporal, eventId);
    if (state && !state.attention)
      throw new Error(`${eventId} is not waiting for an operator (status ${state.status}, step ${state.currentStep ?? '-'})`);
    // Tied to the attention the operator saw: if it was answered meanwhile, the workflow audits
    // this request and does not apply it to a later failure.
    await ctx.temporal.workflow
      .getHandle(eventId)
      .signal(SIGNALS[action], { by: ctx.operator, reason: why, attention: seen ?? state?.attention?.id });
    const step = state?.attention?.step ?? '?';
    return {
      human: `${action} sent to ${eventId} (step ${step}) by ${ctx.operator}: ${why}`,
      json: { eventId, action, step, by: ctx.operator, reason: why, outcome: 'signalled' },
    };
  }
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

const signalCommand = (action: keyof typeof SIGNALS, summary: string): Command => ({
  summary: `${summary}; with filters instead of an event id, every matching run (--dry-run lists them)`,
  usage: `${action} <eventId> --reason "…" | ${action} --status NeedsAttention [list filters] --reason "…" [--dry-run] [--rate 5]`,
  options: {
    reason: { type: 'string' },
    ...FILTER_OPTIONS,
    'dry-run': { type: 'boolean' },
    rate: { type: 'string' },
    limit: { type: 'string' },
  },
  run: (ctx, [eventId], values) => {
    if (eventId === undefined && Object.keys(FILTER_OPTIONS).some((name) => values[name] !== undefined))
      return bulkOperate(ctx, action, values, async (c, a, id, why, seen) => (await operate(c, a, id, why, seen)).json);
    return operate(ctx, action, eventId, values.reason as string | undefined);
  },
});
export const retry = signalCommand('retry', 'run the failed step again (NeedsAttention), or start a failed run again');
export const skip = signalCommand('skip', 'go on without the failed step (only steps that can be skipped, e.g. an email)');
export const cancel = signalCommand('cancel', 'give up on a fulfillment waiting for an operator (it fails as CancelledByOperator)');
