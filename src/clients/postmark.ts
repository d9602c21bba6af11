import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ServerClient } from 'postmark';

/** Postmark must answer well within the activity's 30 s start-to-close timeout. */
export const POSTMARK_TIMEOUT_SECONDS = 10;

/** The real Postmark client; `apiUrl` points it at Postmark or at a local stand-in. */
export function createPostmarkClient(serverToken: string, apiUrl: string, timeoutSeconds = POSTMARK_TIMEOUT_SECONDS): ServerClient {
  const url = new URL(apiUrl);
  const client = new ServerClient(serverToken, {
    useHttps: url.protocol === 'https:',
    requestHost: url.host + url.pathname.replace(/\/$/, ''),
    timeout: timeoutSeconds,
  });
  traceCall(client, 'sendEmailWithTemplate', url.host);
  traceCall(client, 'getOutboundMessages', url.host);
  return client;
}

const tracer = trace.getTracer('stripe-fulfillment/postmark');

/** A client span around one of the client's calls: the email activity's span is its parent. Ids
 *  and outcomes only; the message (addresses, names) stays out of the trace. */
function traceCall<K extends 'sendEmailWithTemplate' | 'getOutboundMessages'>(client: ServerClient, method: K, host: string): void {
  const call = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
  const traced = (...args: unknown[]) =>
    tracer.startActiveSpan(
      `postmark ${method}`,
      { kind: SpanKind.CLIENT, attributes: { 'server.address': host, 'postmark.operation': method } },
      async (span) => {
        try {
          return await call(...args);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { name?: string }).name ?? 'Error' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  Object.assign(client, { [method]: traced });
}
