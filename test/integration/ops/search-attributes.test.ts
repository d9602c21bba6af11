import { runCli } from '../../../src/ops/cli';
import { checkoutEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';
import { opsContextFor } from '../../support/ops-context';

const h = useHarness();

const tag = `${Date.now()}`;
const sumoEmail = `Search.Me.${tag}@Example.com`;
const sumo = checkoutEvent({
  email: sumoEmail,
  customerId: `cus_test_search_${tag}`,
  subscriptionId: `sub_test_search_${tag}`,
  metadata: sumoMetadata({ campaignId: `camp_search_${tag}` }),
});
const direct = checkoutEvent({ email: `direct.${tag}@example.com`, customerId: `cus_test_direct_${tag}`, metadata: { tier_id: 'pro' } });
const updated = subscriptionEvent({
  type: 'customer.subscription.updated',
  subscriptionId: `sub_test_search_${tag}`,
  status: 'active',
  quantity: 4,
});
const ours = [sumo.id, direct.id, updated.id];

/** Event ids among ours that `ops list <filters>` returns (polling: visibility lags a little). */
async function found(expected: string[], ...filters: string[]): Promise<string[]> {
  const listed = async (): Promise<string[]> => {
    const { code, output } = await runCli(['list', ...filters, '--since', '1h', '--limit', '1000', '--json'], opsContextFor(h));
    if (code !== 0) throw new Error(output);
    return JSON.parse(output)
      .fulfillments.map((f: { eventId: string }) => f.eventId)
      .filter((id: string) => ours.includes(id))
      .sort();
  };
  return eventually(listed, (ids) => JSON.stringify(ids) === JSON.stringify([...expected].sort()), { timeoutMs: 10_000 });
}

describe('finding fulfillments by search attribute', () => {
  beforeAll(async () => {
    for (const event of [sumo, direct, updated]) await h.deliver(event);
    await Promise.all(ours.map((id) => h.result(id)));
  });

  it.each([
    ['StripeEventType', ['--type', 'checkout.session.completed'], () => [sumo.id, direct.id]],
    ['StripeEventType', ['--type', 'customer.subscription.updated'], () => [updated.id]],
    ['FulfillmentSource', ['--source', 'sumo'], () => [sumo.id]],
    ['FulfillmentSource', ['--source', 'direct'], () => [direct.id]],
    ['StripeCustomerId', ['--customer', `cus_test_search_${tag}`], () => [sumo.id]],
    ['StripeSubscriptionId', ['--subscription', `sub_test_search_${tag}`], () => [sumo.id, updated.id]],
    ['SumoCampaignId', ['--campaign', `camp_search_${tag}`], () => [sumo.id]],
    ['CustomerEmailHash (email typed differently)', ['--email', `  search.me.${tag}@example.COM `], () => [sumo.id]],
    ['FulfillmentStatus', ['--status', 'Completed'], () => ours],
    ['FulfillmentStatus', ['--status', 'NeedsAttention'], () => []],
  ])('%s %j', async (_attribute, filters, expected) => {
    expect(await found(expected(), ...filters)).toEqual([...expected()].sort());
  });

  it('keeps the email itself out of Temporal: the start input is the only place, search attributes hold a hash', async () => {
    const description = await h.client.workflow.getHandle(sumo.id).describe();
    const attributes = JSON.stringify(description.searchAttributes);
    expect(attributes).not.toMatch(/search\.me/i);
    expect(description.searchAttributes.CustomerEmailHash?.[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a filter value it does not know, naming the allowed ones', async () => {
    const { code, output } = await runCli(['list', '--status', 'Stuck'], opsContextFor(h));
    expect(code).toBe(1);
    expect(output).toMatch(/--status must be one of Running, Retrying, Completed, NeedsAttention, Failed/);
  });
});
