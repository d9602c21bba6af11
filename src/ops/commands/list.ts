import type { Command } from '../command';
import { sinceDate } from '../durations';
import { FILTER_OPTIONS, selectFulfillments, unknownLines } from '../select-fulfillments';
import { quote } from '../workflow-lookup';
import { emailHash } from '../../temporal/email-hash';
import { FULFILLMENT_STATUSES, runsWithStatus } from '../../contracts';

export const STATUSES: readonly string[] = FULFILLMENT_STATUSES;

/** `list [--status S] [--source sumo|direct] [--email E] [--since 24h] [--type T] [--subscription sub_…] [--payment-intent pi_…] [--error T] [--step S] [--limit N]` */
export const list: Command = {
  summary: 'fulfillments matching the filters, newest first',
  usage:
    'list [--status NeedsAttention] [--source sumo] [--email a@b.c] [--since 24h] [--type T] [--subscription sub_…] [--payment-intent pi_…] [--customer cus_…] [--campaign C] [--error UnknownTier] [--step provisionAccess] [--limit 50]',
  options: { ...FILTER_OPTIONS, limit: { type: 'string', default: '50' } },
  async run(ctx, _positionals, values) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, got "${values.limit}"`);
    const { query, fulfillments, unknown } = await selectFulfillments(ctx, values, { limit });
    const rows = fulfillments.map(({ attention, unknown: _none, ...row }) => ({
      ...row,
      ...(attention && { step: attention.step, errorType: attention.errorType }),
    }));
    // A run whose status query never answered may match --error/--step: listed apart, never left out.
    const unknownRows = unknown.map(({ attention: _none, ...row }) => row);
    const header =
      `${rows.length} fulfillment(s)${query ? ` where ${query}` : ''}` + (unknown.length > 0 ? `; ${unknown.length} unknown` : '');
    const table = rows.map((r) =>
      [r.eventId.padEnd(34), (r.status ?? '').padEnd(15), (r.eventType ?? '').padEnd(40), (r.source ?? '-').padEnd(7), r.started].join(' '),
    );
    return {
      human: [header, ...table, ...unknownLines(unknown)].join('\n'),
      json: { query, fulfillments: rows, unknown: { count: unknownRows.length, fulfillments: unknownRows } },
    };
  },
};

export function buildQuery(values: Record<string, string | boolean | undefined>): string {
  const parts: string[] = [];
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const status = str('status');
  if (status !== undefined) {
    const canonical = FULFILLMENT_STATUSES.find((s) => s.toLowerCase() === status.toLowerCase());
    if (!canonical) throw new Error(`--status must be one of ${STATUSES.join(', ')}, got "${status}"`);
    parts.push(runsWithStatus(canonical));
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
