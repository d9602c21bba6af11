import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Port of this process's Temporal metrics endpoint (one per jest worker process). */
export const WORKER_METRICS_PORT = 30_000 + (process.pid % 20_000);

// Imported before the harness, so this install (with Prometheus) is the process's one Runtime.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${WORKER_METRICS_PORT}` } } },
});
