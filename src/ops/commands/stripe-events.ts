import type { Command } from '../command';
import { sinceDate } from '../durations';
import { reconcileStripeEvents, replayStripeEvent } from '../../ingest/reconcile';

export const replay: Command = {
  summary: "fetch an event from Stripe's Events API and run it (once: a second replay is a duplicate)",
  usage: 'replay <eventId> [--account acct_… (a connected account listed in STRIPE_CONNECT_ACCOUNTS)]',
  options: { account: { type: 'string' } },
  async run(ctx, [eventId], values) {
    if (!eventId) throw new Error('usage: npm run ops -- replay <eventId> [--account acct_… listed in STRIPE_CONNECT_ACCOUNTS]');
    const result = await replayStripeEvent(
      ctx.stripe,
      ctx,
      eventId,
      typeof values.account === 'string' ? values.account : null,
      ctx.connectAccounts,
    );
    if (result.outcome === 'ignored') {
      return {
        human: `${eventId} (${result.event.type}) is not an event this service acts on: ${result.reason}`,
        json: { eventId, type: result.event.type, outcome: result.outcome, reason: result.reason },
      };
    }
    const json = { eventId, type: result.event.type, outcome: result.outcome, workflowType: result.workflowType };
    const human =
      result.outcome === 'started'
        ? `${eventId} (${result.event.type}) started as ${result.workflowType}`
        : `${eventId} already has a fulfillment (running or completed): nothing started`;
    return { human, json };
  },
};

export const reconcile: Command = {
  summary: 'start every handled Stripe event since --since that has no workflow yet (safe to repeat)',
  usage: 'reconcile [--since 72h]',
  options: { since: { type: 'string', default: '72h' } },
  async run(ctx, _positionals, values) {
    const report = await reconcileStripeEvents(ctx.stripe, ctx, sinceDate(String(values.since)), ctx.connectAccounts);
    const lines = [
      `Stripe events since ${report.since}: ${report.listed} listed, ${report.started.length} started, ${report.duplicate} already had a workflow, ${report.ignored} ignored, ${report.failed.length} failed`,
      ...report.started.map((id) => `  started ${id}`),
      ...report.failed.map((f) => `  FAILED ${f.eventId}: ${f.error}`),
    ];
    if (report.failed.length > 0) throw Object.assign(new Error(lines.join('\n')), { report });
    return { human: lines.join('\n'), json: report };
  },
};
