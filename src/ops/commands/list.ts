import type { Command } from '../command';
import { sinceDate } from '../durations';
import { fulfillmentStatus, quote } from '../workflow-lookup';
import { emailHash } from '../../temporal/email-hash';
import { FULFILLMENT_STATUSES } from '../../contracts';

const STATUSES: readonly string[] = FULFILLMENT_STATUSES;

/** `list [--status S] [--source sumo|direct] [--email E] [--since 24h] [--type T] [--subscription sub_…] [--payment-intent pi_…] [--limit N]` */
export const list: Command = {
  summary: 'fulfillments matching the filters, newest first',
  usage:
    'list [--status NeedsAttention] [--source sumo] [--email a@b.c] [--since 24h] [--type T] [--subscription sub_…] [--payment-intent pi_…] [--customer cus_…] [--campaign C] [--limit 50]',
  options: {
    status: { type: 'string' },
    source: { type: 'string' },
    email: { type: 'string' },
    since: { type: 'string' },
    type: { type: 'string' },
    subscription: { type: 'string' },
    'payment-intent': { type: 'string' },
    customer: { type: 'string' },
    campaign: { type: 'string' },
    limit: { type: 'string', default: '50' },
  },
  async run(ctx, _positionals, values) {
    const query = buildQuery(values);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, got "${values.limit}"`);
    const rows: Array<Record<string, string | null>> = [];
    for await (const wf of ctx.temporal.workflow.list({ query: query || undefined, pageSize: Math.min(limit, 100) })) {
      const attr = (name: string) => {
        const value = (wf.searchAttributes as Record<string, unknown[] | undefined>)[name]?.[0];
        return value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
      };
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
      });
      if (rows.length >= limit) break;
    }
    const header = `${rows.length} fulfillment(s)${query ? ` where ${query}` : ''}`;
    const table = rows.map((r) =>
      [r.eventId!.padEnd(34), (r.status ?? '').padEnd(15), (r.eventType ?? '').padEnd(40), (r.source ?? '-').padEnd(7), r.started].join(
        ' ',
      ),
    );
    return { human: [header, ...table].join('\n'), json: { query, fulfillments: rows } };
  },
};

export function buildQuery(values: Record<string, string | boolean | undefined>): string {
  const parts: string[] = [];
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const status = str('status');
  if (status !== undefined) {
    const canonical = STATUSES.find((s) => s.toLowerCase() === status.toLowerCase());
    if (!canonical) throw new Error(`--status must be one of ${STATUSES.join(', ')}, got "${status}"`);
    parts.push(`FulfillmentStatus = ${quote(canonical)}`);
  }
  const source = str('source');
  if (source !== undefined) {
    if (source !== 'sumo' && source !== 'direct') throw new Error(`--source must be sumo or direct, got "${source}"`);
    parts.push(`FulfillmentSource = ${quote(source)}`);
  }
  const email = str('email');
  if (email !== undefined) parts.push(`CustomerEmailHash = ${quote(emailHash(email))}`);
  const since = str('since');
  if (since !== undefined) parts.push(`StartTime > ${quote(sinceDate(since).toISOString())}`);
  const exact: Array<[string, string]> = [
    ['type', 'StripeEventType'],
    ['subscription', 'StripeSubscriptionId'],
    ['payment-intent', 'StripePaymentIntentId'],
    ['customer', 'StripeCustomerId'],
    ['campaign', 'SumoCampaignId'],
  ];
  for (const [option, attribute] of exact) {
    const value = str(option);
    if (value !== undefined) parts.push(`${attribute} = ${quote(value)}`);
  }
  return parts.join(' AND ');
}
