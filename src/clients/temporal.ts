import { readFileSync } from 'node:fs';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type BackoffOptions,
  type TLSConfig,
} from '@temporalio/client';
// The client interceptor alone: the package's index loads its worker half too, and with it
// OpenTelemetry's SDK (src/telemetry/tracing.ts loads that only when tracing is on).
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { payloadDataConverter } from '../temporal/payload-codec';
import type { PayloadKey } from '../temporal/payload-keys';

/** The connection settings every process reads (Temporal's own environment variable names). */
export interface TemporalSettings {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  /** Temporal Cloud API key; implies TLS. */
  TEMPORAL_API_KEY?: string;
  /** mTLS: client certificate and key files (both or neither), and the server's CA file. */
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_CA?: string;
  /** TLS on (`true`) without files of its own, or off (`false`); unset: on with an API key or any file above. */
  TEMPORAL_TLS?: 'true' | 'false';
  /** The name the server's certificate carries, when it is not the address' host. */
  TEMPORAL_TLS_SERVER_NAME?: string;
  /** The payload codec's keys (PAYLOAD_KEYS), newest first; none: payloads go unencrypted. */
  payloadKeys?: readonly PayloadKey[];
}

/** The options the client's Connection and the worker's NativeConnection both take. */
export function temporalConnectionOptions(settings: TemporalSettings): { address: string; apiKey?: string; tls?: TLSConfig | boolean } {
  const read = (path: string) => readFileSync(path);
  const pair = settings.TEMPORAL_TLS_CERT && settings.TEMPORAL_TLS_KEY;
  const serverName = settings.TEMPORAL_TLS_SERVER_NAME;
  const tls =
    settings.TEMPORAL_TLS === 'false'
      ? undefined
      : pair || settings.TEMPORAL_TLS_CA || serverName
        ? {
            ...(pair && { clientCertPair: { crt: read(settings.TEMPORAL_TLS_CERT!), key: read(settings.TEMPORAL_TLS_KEY!) } }),
            ...(settings.TEMPORAL_TLS_CA && { serverRootCACertificate: read(settings.TEMPORAL_TLS_CA) }),
            ...(serverName && { serverNameOverride: serverName }),
          }
        : settings.TEMPORAL_API_KEY || settings.TEMPORAL_TLS === 'true'
          ? true
          : undefined;
  return {
    address: settings.TEMPORAL_ADDRESS,
    ...(settings.TEMPORAL_API_KEY && { apiKey: settings.TEMPORAL_API_KEY }),
    ...(tls !== undefined && { tls }),
  };
}

/**
 * A Temporal client whose connection is opened on first use, so the API starts (and
 * answers 503 instead of crashing) while Temporal is down. With payload keys, everything it
 * sends is encrypted and everything it reads decrypted. With `tracing` (the default), a workflow it
 * starts joins the caller's trace: the OpenTelemetry context travels in the start's headers. The
 * API passes `tracing: false` when export is off, so each start carries no empty trace header
 * (encoding it is CPU on every webhook, and no one reads it: the worker's untraced bundle has no
 * interceptors).
 */
export function createTemporalClient(
  settings: TemporalSettings,
  { retry, tracing = true }: { retry?: Partial<BackoffOptions>; tracing?: boolean } = {},
): Client {
  // The SDK retries an overloaded or unreachable server (RESOURCE_EXHAUSTED, UNAVAILABLE, …) with
  // capped backoff; `retry` changes how long (its default: 10 attempts, about 35 s).
  const interceptors = retry ? { interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(retry))] } : {};
  return new Client({
    connection: Connection.lazy({ ...temporalConnectionOptions(settings), ...interceptors }),
    namespace: settings.TEMPORAL_NAMESPACE,
    dataConverter: payloadDataConverter(settings.payloadKeys ?? []),
    interceptors: { workflow: tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [] },
  });
}
