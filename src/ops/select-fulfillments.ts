import type { OpsContext } from './context';
import { buildQuery } from './commands/list';
import type { TokenBucket } from './rate-limit';
import { fulfillmentStatus } from '../contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { askState, QUERY_DEADLINE_MS } from './workflow-lookup';

/** The filters `ops list` and the bulk `retry|skip|cancel` share, as parseArgs options. */
export const FILTER_OPTIONS = {
  status: { type: 'string' },
  source: { type: 'string' },
  email: { type: 'string' },
  since: { type: 'string' },
  type: { type: 'string' },
  subscription: { type: 'string' },
  'payment-intent': { type: 'string' },
  customer: { type: 'string' },
  campaign: { type: 'string' },
  /** The failure type of the step a run waits on (UnknownTier, RetriesExhausted, …): asks each run. */
  error: { type: 'string' },
  /** The step a run waits on (provisionAccess, sendWelcomeEmail, …): asks each run. */
  step: { type: 'string' },
} as const;

export interface SelectedFulfillment {
  eventId: string;
  workflowType: string;
  status: string;
  execution: string;
  eventType: string | null;
  source: string | null;
  subscription: string | null;
  paymentIntent: string | null;
  started: string;
  /** What the run waits on, when it waits for an operator (read with the `status` query). */
  attention: { step: string; errorType: string | null; error: string } | null;
  /** The step a Retrying run rides out an outage at (read with the `status` query). */
  retrying: { step: string; error: string } | null;
  /** Set when the run's `status` query got no answer however often it was asked: whether it waits, and on
   *  what, is unknown, so it may or may not match `--error`/`--step` and is never acted on. */
  unknown: { reason: string; asked: number } | null;
}

/** Each run's `status` query: 5 s for an answer, and the runs that gave none asked again after 1 s, 2 s and 4 s. */
export const STATE_QUERY_DEFAULT = { deadlineMs: QUERY_DEADLINE_MS, retryDelaysMs: [1_000, 2_000, 4_000] };

type Values = Record<string, string | boolean | undefined>;
const str = (values: Values, name: string) => (typeof values[name] === 'string' ? values[name] : undefined);

/**
 * Fulfillments matching the filters, newest first, at most `limit`. The visibility query does
 * what search attributes can (status, source, since, …); `--error` and `--step` are answered by
 * each candidate run itself (its `status` query), paced by `bucket`. `states: true` asks every
 * running candidate for its attention even without those filters (the bulk operations need its id).
 * A run whose query gets no answer (an error, or none in time: workers saturated) is asked again
 * after each of `ctx.stateQuery`'s pauses, once the others are asked; if it never answers it is
 * returned in `unknown`, never left out.
 */
export async function selectFulfillments(
  ctx: OpsContext,
  values: Values,
  { limit, bucket, states = false, extraQuery }: { limit: number; bucket?: TokenBucket; states?: boolean; extraQuery?: string },
): Promise<{ query: string; fulfillments: SelectedFulfillment[]; unknown: SelectedFulfillment[] }> {
  const query = [buildQuery(values), extraQuery].filter(Boolean).join(' AND ');
  const error = str(values, 'error');
  const step = str(values, 'step');
  const askRuns = states || error !== undefined || step !== undefined;
  const { deadlineMs, retryDelaysMs } = ctx.stateQuery ?? STATE_QUERY_DEFAULT;
  const rows: SelectedFulfillment[] = [];
  /** Visibility's order (newest first), kept for the runs that answered only when asked again. */
  const listed = new Map<string, number>();
  let unanswered: Array<{ row: SelectedFulfillment; reason: string }> = [];

  /** Asks the run: why it did not answer, or null (it answered, and is kept if it matches the filters). */
  const ask = async (row: SelectedFulfillment): Promise<{ reason: string } | null> => {
    await bucket?.take();
    const asked = await askState(ctx.temporal, row.eventId, deadlineMs);
    if ('unanswered' in asked) return { reason: asked.unanswered.slice(0, 200) };
    const attention = asked.state.attention;
    row.attention = attention ? { step: attention.step, errorType: attention.errorType, error: attention.error } : null;
    const retrying = asked.state.retrying;
    row.retrying = retrying ? { step: retrying.step, error: retrying.error } : null;
    if (matches(row)) rows.push(row);
    return null;
  };
  const matches = (row: SelectedFulfillment) =>
    (error === undefined || row.attention?.errorType === error) && (step === undefined || row.attention?.step === step);

  for await (const wf of ctx.temporal.workflow.list({ query: query || undefined, pageSize: Math.min(limit, 100) })) {
    const attr = (name: string) => {
      const value = (wf.searchAttributes as Record<string, unknown[] | undefined>)[name]?.[0];
      return value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
    };
    const row: SelectedFulfillment = {
      eventId: wf.workflowId,
      workflowType: wf.type,
      status: fulfillmentStatus(wf.status.name, attr('FulfillmentStatus')),
      execution: wf.status.name,
      eventType: attr('StripeEventType'),
      source: attr('FulfillmentSource'),
      subscription: attr('StripeSubscriptionId'),
      paymentIntent: attr('StripePaymentIntentId'),
      started: wf.startTime.toISOString(),
      attention: null,
      retrying: null,
      unknown: null,
    };
    listed.set(row.eventId, listed.size);
    if (askRuns && wf.status.name === 'RUNNING') {
      const missed = await ask(row);
      if (missed) unanswered.push({ row, ...missed });
    } else if (matches(row)) {
      rows.push(row);
    }
    if (rows.length + unanswered.length >= limit) break;
  }
  // Asked again, with backoff, after everyone else was: a saturated worker may answer later.
  for (const pause of retryDelaysMs) {
    if (unanswered.length === 0) break;
    await sleep(pause);
    const still: typeof unanswered = [];
    for (const { row } of unanswered) {
      const missed = await ask(row);
      if (missed) still.push({ row, ...missed });
    }
    unanswered = still;
  }
  const asked = 1 + retryDelaysMs.length;
  const unknown = unanswered.map(({ row, reason }) => ({ ...row, unknown: { reason, asked } }));
  const inListedOrder = (a: SelectedFulfillment, b: SelectedFulfillment) => listed.get(a.eventId)! - listed.get(b.eventId)!;
  const described = [query, error && `failure type ${error}`, step && `step ${step}`].filter(Boolean).join(', ');
  return { query: described, fulfillments: rows.sort(inListedOrder), unknown: unknown.sort(inListedOrder) };
}

/** How unknown runs are told in human output: one line each after the rest. */
export function unknownLines(unknown: SelectedFulfillment[]): string[] {
  if (unknown.length === 0) return [];
  const asked = unknown[0].unknown?.asked ?? 1;
  return [
    `${unknown.length} unknown: their status query got no answer (asked ${asked} time(s)), so whether they match is not known; run again, or \`ops show\` each:`,
    ...unknown.map((f) => `  ${f.eventId.padEnd(34)} ${f.status.padEnd(15)} ${f.unknown?.reason ?? ''}`),
  ];
}
