import type { CommandResult } from '../command';
import type { OpsContext } from '../context';
import { createTokenBucket } from '../rate-limit';
import { selectFulfillments, unknownLines, type SelectedFulfillment } from '../select-fulfillments';
import { quote } from '../workflow-lookup';

export type BulkAction = 'retry' | 'skip' | 'cancel';
/** Acts on one fulfillment as `ops <action> <eventId> --step <step>` does; `step` is the one the selection saw
 *  waiting (if another step waits by then, the workflow refuses the request, and the refusal is audited). */
export type OperateOne = (
  ctx: OpsContext,
  action: BulkAction,
  eventId: string,
  reason: string,
  step?: string,
) => Promise<{ outcome?: string; step?: string; refusal?: string }>;

/** Runs acted on per second when --rate is not given: well under a namespace's default limits. */
export const BULK_RATE_DEFAULT = 5;
/** At most this many runs per invocation unless --limit says otherwise. */
export const BULK_LIMIT_DEFAULT = 1000;

type Values = Record<string, string | boolean | undefined>;

/**
 * `ops retry|skip|cancel --status NeedsAttention [filters] --reason "…" [--dry-run] [--rate 5] [--limit 1000]`:
 * the runs `ops list` would show with the same filters (this service's task queue only), each
 * acted on like the one-event command — paced by a token bucket (--rate runs per second, every
 * Temporal call for a run counted as that run's), audited per event by the workflow (and in
 * `operator_actions`), one failure not stopping the rest. `--dry-run` lists them and acts on none.
 * A running run whose `status` query never answered is not acted on (its step is not known) and
 * is reported as unknown: counted and listed, in the dry run and the real one.
 */
export async function bulkOperate(ctx: OpsContext, action: BulkAction, values: Values, operateOne: OperateOne): Promise<CommandResult> {
  if (typeof values.status !== 'string')
    throw new Error(`a bulk ${action} needs --status (e.g. --status NeedsAttention) besides any other filter`);
  const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
  if (!reason) throw new Error(`--reason is required for ${action} (it goes into every run's audit record)`);
  const rate = Number(values.rate ?? BULK_RATE_DEFAULT);
  if (!(rate > 0) || rate > 100) throw new Error(`--rate must be a number of runs per second between 0 and 100, got "${values.rate}"`);
  const limit = Number(values.limit ?? BULK_LIMIT_DEFAULT);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, got "${values.limit}"`);
  const bucket = createTokenBucket(rate);

  const { query, fulfillments, unknown } = await selectFulfillments(ctx, values, {
    limit,
    bucket,
    states: true,
    extraQuery: `TaskQueue = ${quote(ctx.taskQueue)}`,
  });
  // A run that waits for nobody (it completed, or is merely running) is not acted on; cancel also
  // stops a run riding out an outage (Retrying); retry also starts again a run that closed failed,
  // as `ops retry <eventId>` does.
  const targets = fulfillments.filter(
    (f) =>
      f.attention !== null ||
      (action === 'cancel' && f.retrying !== null) ||
      (action === 'retry' && f.execution !== 'RUNNING' && f.execution !== 'COMPLETED'),
  );
  const stepOf = (f: SelectedFulfillment) => f.attention?.step ?? f.retrying?.step;
  const dryRun = values['dry-run'] === true;
  const unknownJson = { count: unknown.length, fulfillments: unknown };
  const unknownNote = unknown.length > 0 ? `; ${unknown.length} unknown (not acted on)` : '';
  if (dryRun) {
    const lines = [
      `dry run: would ${action} ${targets.length} fulfillment(s) where ${query}${unknownNote}`,
      ...targets.map(line),
      ...unknownLines(unknown),
    ];
    return {
      human: lines.join('\n'),
      json: { dryRun: true, action, query, count: targets.length, fulfillments: targets, unknown: unknownJson },
    };
  }

  const results: Array<{ eventId: string; outcome: string; step: string | null; error?: string }> = [];
  for (const target of targets) {
    await bucket.take();
    try {
      const done = await operateOne(ctx, action, target.eventId, reason, stepOf(target));
      results.push({
        eventId: target.eventId,
        outcome: done.outcome ?? 'done',
        step: done.step ?? stepOf(target) ?? null,
        ...(done.refusal !== undefined && { error: done.refusal }),
      });
    } catch (err) {
      results.push({ eventId: target.eventId, outcome: 'failed', step: stepOf(target) ?? null, error: (err as Error).message });
    }
  }
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'refused');
  const summary =
    `${action}: ${results.length - failed.length} of ${targets.length} fulfillment(s) where ${query}${unknownNote} ` +
    `(${Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}) by ${ctx.operator}: ${reason}`;
  const human = [summary, ...failed.map((f) => `  not done: ${f.eventId}: ${f.error}`), ...unknownLines(unknown)].join('\n');
  return {
    human,
    json: { dryRun: false, action, query, reason, by: ctx.operator, count: targets.length, counts, results, unknown: unknownJson },
  };
}

function line(f: SelectedFulfillment): string {
  const at = f.attention
    ? `${f.attention.step.padEnd(20)} ${(f.attention.errorType ?? '-').padEnd(22)} ${f.attention.error.slice(0, 80)}`
    : f.status;
  return `  ${f.eventId.padEnd(34)} ${at}`;
}
