import type { OpsContext } from './context';
import { buildQuery } from './commands/list';
import type { TokenBucket } from './rate-limit';
import { fulfillmentStatus } from '../contracts';
import { queryState } from './workflow-lookup';

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
}

type Values = Record<string, string | boolean | undefined>;
const str = (values: Values, name: string) => (typeof values[name] === 'string' ? values[name] : undefined);

/**
 * Fulfillments matching the filters, newest first, at most `limit`. The visibility query does
 * what search attributes can (status, source, since, …); `--error` and `--step` are answered by
 * each candidate run itself (its `status` query), paced by `bucket`. `states: true` asks every
 * running candidate for its attention even without those filters (the bulk operations need its id).
 */
export async function selectFulfillments(
  ctx: OpsContext,
  values: Values,
  { limit, bucket, states = false, extraQuery }: { limit: number; bucket?: TokenBucket; states?: boolean; extraQuery?: string },
): Promise<{ query: string; fulfillments: SelectedFulfillment[] }> {
  const query = [buildQuery(values), extraQuery].filter(Boolean).join(' AND ');
  const error = str(values, 'error');
  const step = str(values, 'step');
  const askRuns = states || error !== undefined || step !== undefined;
  const rows: SelectedFulfillment[] = [];
  for await (const wf of ctx.temporal.workflow.list({ query: query || undefined, pageSize: Math.min(limit, 100) })) {
    const attr = (name: string) => {
      const value = (wf.searchAttributes as Record<string, unknown[] | undefined>)[name]?.[0];
      return value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
    };
    let attention: SelectedFulfillment['attention'] = null;
    if (askRuns && wf.status.name === 'RUNNING') {
      await bucket?.take();
      const state = await queryState(ctx.temporal, wf.workflowId);
      if (state?.attention) {
        const { step: at, errorType, error: message } = state.attention;
        attention = { step: at, errorType, error: message };
      }
    }
    if (error !== undefined && attention?.errorType !== error) continue;
    if (step !== undefined && attention?.step !== step) continue;
    rows.push({
      eventId: wf.workflowId,
      workflowType: wf.type,
      status: fulfillmentStatus(wf.status.name, attr('FulfillmentStatus')),
      execution: wf.status.name,
      eventType: attr('StripeEventType'),
      source: attr('FulfillmentSource'),
      subscription: attr('StripeSubscriptionId'),
      paymentIntent: attr('StripePaymentIntentId'),
      started: wf.startTime.toISOString(),
      attention,
    });
    if (rows.length >= limit) break;
  }
  const described = [query, error && `failure type ${error}`, step && `step ${step}`].filter(Boolean).join(', ');
  return { query: described, fulfillments: rows };
}
