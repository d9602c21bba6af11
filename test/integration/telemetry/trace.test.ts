import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { startTracing, type Tracing } from '../../../src/telemetry/tracing';
import { eventually } from '../../support/eventually';
import { startHarness, type Harness } from '../../support/harness';
import { startOtlpCollector, type CollectedSpan } from '../../support/otlp-collector';

/**
 * One purchase, one trace: the webhook's POST, the workflow start, the workflow, each activity and
 * the Postmark call share a trace id, exported over OTLP/HTTP by the real exporter to a collector
 * stand-in; the request's log line carries that trace id.
 */
let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let tracing: Tracing;
let h: Harness;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  collector = await startOtlpCollector();
  tracing = (await startTracing('stripe-fulfillment', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl }))!;
  const apiLogger = pino(
    { level: 'info' },
    new Writable({ write: (chunk, _enc, done) => (logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }),
  );
  h = await startHarness({ tracing, apiLogger });
});
afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
  trace.disable();
  await collector?.close();
});

describe('tracing a purchase end to end', () => {
  it('links the POST, the workflow start, the workflow, its activities and the Postmark call in one trace', async () => {
    const event = checkoutEvent({ email: `traced.${Date.now()}@example.com`, metadata: sumoMetadata() });
    const response = await h.deliver(event);
    expect(response.statusCode).toBe(200);
    await h.result(event.id);

    const post = await eventually(
      async () => {
        await tracing.spanProcessor.forceFlush();
        return collector.spans.find((s) => s.name === 'POST /webhooks/stripe' && s.attributes['stripe.event_id'] === event.id);
      },
      (span) => span !== undefined,
      { timeoutMs: 15_000 },
    );
    const inTrace = await eventually(
      async () => {
        await tracing.spanProcessor.forceFlush();
        return collector.spans.filter((s) => s.traceId === post!.traceId);
      },
      (spans) => spans.some((s) => s.name.startsWith('postmark ')),
      { timeoutMs: 15_000 },
    );
    const named = (name: string): CollectedSpan => {
      const span = inTrace.find((s) => s.name === name);
      if (!span) throw new Error(`no span "${name}" in the trace; it has: ${inTrace.map((s) => s.name).join(', ')}`);
      return span;
    };
    const start = named('StartWorkflow:fulfillCheckout');
    const run = named('RunWorkflow:fulfillCheckout');
    const email = named('RunActivity:sendWelcomeEmail');
    const postmark = named('postmark sendEmailWithTemplate');

    // Each span's parent is the step before it: POST → start → run → … → the email activity → Postmark.
    expect(start.parentSpanId).toBe(post!.spanId);
    expect(run.parentSpanId).toBe(start.spanId);
    expect(postmark.parentSpanId).toBe(email.spanId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const ancestors = (span: CollectedSpan): string[] =>
      span.parentSpanId && byId.has(span.parentSpanId) ? [span.parentSpanId, ...ancestors(byId.get(span.parentSpanId)!)] : [];
    expect(ancestors(email)).toContain(run.spanId);
    expect(inTrace.filter((s) => s.name.startsWith('RunActivity:')).length).toBeGreaterThanOrEqual(2);
    // No personal data in the trace.
    expect(JSON.stringify(inTrace)).not.toContain('@example.com');

    const accepted = logLines.find((l) => l.msg === 'webhook accepted' && l.eventId === event.id);
    expect(accepted).toMatchObject({ traceId: post!.traceId });
  });
});
