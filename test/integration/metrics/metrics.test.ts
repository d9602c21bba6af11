import { WORKER_METRICS_PORT } from '../../support/metrics-runtime';
import { checkoutEvent, subscriptionEvent, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { WORKER_METRICS } from '../../support/worker-metrics';
import { useHarness } from '../../support/harness';

const h = useHarness();

const metricValue = (text: string, line: RegExp): number => {
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').at(-1)) : 0;
};

describe('Prometheus metrics', () => {
  it('the API counts webhook answers by status code and event type, and times them', async () => {
    const checkout = checkoutEvent({ metadata: sumoMetadata() });
    await h.deliver(checkout);
    await h.deliver(checkout); // duplicate: still a 200
    await h.deliver(
      subscriptionEvent({ type: 'customer.subscription.updated', subscriptionId: `sub_test_metrics_${Date.now()}`, status: 'active' }),
    );
    await h.deliver({ ...checkout, id: 'evt_test_other', type: 'customer.created' });
    await h.deliver(checkout, { signature: 't=1,v1=deadbeef' });

    // Metrics are served on their own port (METRICS_PORT), never on the public webhook port.
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const response = await h.metricsApp.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    const text = response.body;
    expect(metricValue(text, /^stripe_webhook_requests_total\{status_code="200",event_type="checkout.session.completed"\}/)).toBe(2);
    expect(metricValue(text, /^stripe_webhook_requests_total\{status_code="200",event_type="customer.subscription.updated"\}/)).toBe(1);
    expect(metricValue(text, /^stripe_webhook_requests_total\{status_code="200",event_type="other"\}/)).toBe(1);
    expect(metricValue(text, /^stripe_webhook_requests_total\{status_code="400",event_type="unverified"\}/)).toBe(1);
    expect(metricValue(text, /^stripe_webhook_duration_seconds_count\{status_code="200"\}/)).toBe(4);
    expect(metricValue(text, /^stripe_webhook_duration_seconds_count\{status_code="400"\}/)).toBe(1);
    expect(text).toMatch(/^fulfillment_api_process_cpu_seconds_total/m);
    await h.result(checkout.id);
  });

  it("the worker serves the Temporal SDK's metrics, which count the workflows it ran", async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    await h.deliver(event);
    await h.result(event.id);

    const scrape = async () => (await fetch(`http://127.0.0.1:${WORKER_METRICS_PORT}/metrics`)).text();
    const text = await eventually(scrape, (t) => /temporal_workflow_completed/.test(t), { timeoutMs: 10_000, intervalMs: 200 });
    expect(
      metricValue(text, new RegExp(`^temporal_workflow_completed\\{.*task_queue="${h.taskQueue}".*workflow_type="fulfillCheckout"`)),
    ).toBeGreaterThanOrEqual(1);
    // Every step is a local activity (workflows/activity-calls.ts).
    expect(text).toMatch(/^temporal_local_activity_execution_latency/m);
    // What the shipped alerts and dashboard read (failures counted once one happened: declared here as HELP).
    for (const name of WORKER_METRICS.filter((n) => n !== 'temporal_workflow_failed')) expect(text).toMatch(new RegExp(`^${name}`, 'm'));
  });
});
