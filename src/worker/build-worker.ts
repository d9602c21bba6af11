import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { Context } from '@temporalio/activity';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { WORKER_DB_POOL_DEFAULT } from '../config';
import { payloadDataConverter } from '../temporal/payload-codec';
import type { PayloadKey } from '../temporal/payload-keys';
import type { Tracing } from '../telemetry/tracing';
import { redactFailures } from './redact-failures';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  /** The payload codec's keys (PAYLOAD_KEYS), newest first; none: payloads go unencrypted. */
  payloadKeys?: readonly PayloadKey[];
  /** After shutdown() is called, how long running activities may take to finish (default 30 s). */
  shutdownGraceMs?: number;
  /** Activity tasks run at once (WORKER_MAX_CONCURRENT_ACTIVITIES); with the local ones, within the pool. */
  maxConcurrentActivities?: number;
  /** Local activities run at once (WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES); with the others, within the pool. */
  maxConcurrentLocalActivities?: number;
  /** Where workflow and activity spans go (src/telemetry/tracing.ts); absent: dropped. */
  tracing?: Pick<Tracing, 'resource' | 'spanProcessor'>;
}

const NO_TRACING = { resource: Resource.empty(), spanProcessor: new NoopSpanProcessor() };

/** The traced bundle's interceptors hand spans out through the `exporter` sink, so every worker (replayers
 *  too) registers it, whichever bundle it runs: spans go to the processor, or nowhere while tracing is off. */
export function tracingSinks(tracing: Pick<Tracing, 'resource' | 'spanProcessor'> = NO_TRACING) {
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
}

/** The worker that runs the fulfillment workflows and their activities. */
export function buildWorker({
  connection,
  namespace,
  taskQueue,
  deps,
  workflowBundle,
  payloadKeys = [],
  shutdownGraceMs = 30_000,
  maxConcurrentActivities = WORKER_DB_POOL_DEFAULT / 2,
  maxConcurrentLocalActivities = WORKER_DB_POOL_DEFAULT / 2,
  tracing,
}: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    interceptors: {
      activity: [
        redactFailures,
        // Spans per attempt only while tracing is on (as the workflow bundle: src/worker/workflow-bundle.ts).
        ...(tracing
          ? [
              (ctx: Context) => ({
                inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ]
          : []),
      ],
    },
    sinks: tracingSinks(tracing),
    workflowBundle,
    // The codec runs on the worker's main thread, never in the workflow sandbox.
    dataConverter: payloadDataConverter(payloadKeys),
    // Bounded by construction: not the SDK's 100 of each. Each running activity and
    // each running local activity (the database steps) may hold one of the pool's connections,
    // and the two together fit in it (src/config.ts checks WORKER_DB_POOL_SIZE against both).
    // (The SDK's resource-based tuner, slots by the host's CPU use, was measured instead and
    // starved the drain: docs/PERFORMANCE.md.)
    maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: maxConcurrentLocalActivities,
    // A deploy's SIGTERM lets running activities (an email being sent) finish; past the grace
    // they are cancelled, and past a little more the worker gives up on them.
    shutdownGraceTime: shutdownGraceMs,
    shutdownForceTime: shutdownGraceMs + 5_000,
  });
}
