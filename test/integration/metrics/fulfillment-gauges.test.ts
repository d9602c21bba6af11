import { Registry } from 'prom-client';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { registerFulfillmentGauges } from '../../../src/http/fulfillment-gauges';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';

const h = useHarness({ maxActivityAttempts: 2 });

const value = (text: string, status: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`fulfillments_open{status="${status}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('the gauge of open fulfillments by status', () => {
  it("counts the open runs of the service's task queue by every FulfillmentStatus, one riding out an outage (Retrying) among them", async () => {
    const registry = new Registry();
    registerFulfillmentGauges(registry, h.client, h.taskQueue);
    const before = await registry.metrics();
    expect(value(before, 'NeedsAttention')).toBe(0);
    expect(value(before, 'Retrying')).toBe(0);
    expect(before).toContain('fulfillment_temporal_read_ok 1');

    // Postmark took the message but its answer was lost, and its search is down: the step retries (Retrying).
    h.postmark.failNext(1, { kind: 'accepted-then-reset' });
    h.postmark.searchUnavailable(true);
    const event = checkoutEvent({ email: `gauge.${Date.now()}@example.com`, metadata: sumoMetadata() });
    await h.deliver(event);

    // Visibility lags a moment behind the workflow; the gauge caches its reads for 10 s.
    const after = await eventually(
      async () => {
        const r = new Registry();
        registerFulfillmentGauges(r, h.client, h.taskQueue);
        return r.metrics();
      },
      (text) => value(text, 'Retrying') === 1,
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(value(after, 'Retrying')).toBe(1);
    for (const status of ['Running', 'Completed', 'NeedsAttention', 'Failed']) expect(value(after, status)).toBe(0);
    h.postmark.searchUnavailable(false);
  });
});
