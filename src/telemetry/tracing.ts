import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** What the worker hands the Temporal interceptors (workflow spans leave the sandbox through a sink). */
export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Sends what is still buffered and stops exporting (on shutdown). */
  shutdown(): Promise<void>;
}

/** The standard OpenTelemetry variables that switch export on (or off). */
export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_TRACES_EXPORTER?: string;
  OTEL_SDK_DISABLED?: string;
  OTEL_SERVICE_NAME?: string;
}

/** Export is on when an OTLP endpoint is set and neither OTEL_SDK_DISABLED nor OTEL_TRACES_EXPORTER=none says otherwise. */
export function tracingEnabled(env: TracingEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Registers the process-wide tracer provider that exports spans over OTLP/HTTP, configured by the
 * standard `OTEL_*` variables (endpoint, headers, timeout, resource attributes). Off (undefined)
 * when no endpoint is set: the API calls below are then OpenTelemetry's no-ops. The SDK and the
 * exporter are loaded only when export is on: with the OTLP transformer and the metrics SDK it
 * pulls in, about 200 modules a process without tracing never runs.
 */
export async function startTracing(defaultServiceName: string, env: TracingEnv): Promise<Tracing | undefined> {
  if (!tracingEnabled(env)) return undefined;
  const [{ OTLPTraceExporter }, { envDetectorSync, Resource }, { BatchSpanProcessor, NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || defaultServiceName }).merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(env) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Also installs the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** OTLP/HTTP's rule: the traces endpoint as given, or `/v1/traces` under the shared endpoint. */
function tracesUrl(env: TracingEnv): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/$/, '')}/v1/traces`;
}
