import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('stripe-fulfillment/api');
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request (continuing the caller's `traceparent` when it sends one), ended with
 * the response's status; the request's log lines carry its `traceId`. Routes run their work inside
 * it with `inRequestSpan`, so the Temporal client's interceptor makes the workflow start its child.
 */
export async function requestTracing(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    spans.set(request, span);
    const { traceId, spanId } = span.spanContext();
    request.log = request.log.child({ traceId, spanId });
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** Runs `fn` with the request's span active (a no-op context when tracing is off). */
export function inRequestSpan<T>(request: FastifyRequest, fn: () => T): T {
  const span = spans.get(request);
  if (!span) return fn();
  const ctx: Context = trace.setSpan(context.active(), span);
  return context.with(ctx, fn);
}

/** Names a request's span once the route knows what it carries (the Stripe event). */
export function describeRequestSpan(request: FastifyRequest, attributes: Record<string, string>): void {
  spans.get(request)?.setAttributes(attributes);
}
