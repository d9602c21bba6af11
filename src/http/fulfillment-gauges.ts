import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { FULFILLMENT_STATUSES, openRunsWithStatus, type ReconcileReport } from '../contracts';
import { RECONCILE_SCHEDULE_ID } from '../temporal/reconcile-schedule';

/** How long a scrape's answers from Temporal are reused (two APIs and a 15 s scrape stay well under the visibility rate limit). */
const CACHE_MS = 10_000;

/**
 * Gauges read from Temporal when Prometheus scrapes the API's /metrics:
 * - `fulfillments_open{status}`: open runs of this service's task queue by FulfillmentStatus
 *   (every value in the contracts' list, so a new status needs no change here); NeedsAttention
 *   is the number of fulfillments waiting for a person.
 * - `fulfillment_reconcile_last_run_*`: when the reconcile Schedule last ran, whether that run
 *   failed, and how many events it had to start (events whose webhook never came).
 * A failed read leaves the gauges empty rather than stale (`fulfillment_temporal_read_ok` 0).
 */
export function registerFulfillmentGauges(registry: Registry, client: Client, taskQueue: string): void {
  let last: { at: number; read: Promise<Snapshot> } | undefined;
  const snapshot = () => {
    if (!last || Date.now() - last.at > CACHE_MS) last = { at: Date.now(), read: readSnapshot(client, taskQueue) };
    return last.read;
  };
  const readOk = new Gauge({
    name: 'fulfillment_temporal_read_ok',
    help: '1 when the gauges below could be read from Temporal',
    registers: [registry],
  });
  const open = new Gauge({
    name: 'fulfillments_open',
    help: 'Open fulfillment runs of this task queue by FulfillmentStatus (NeedsAttention: waiting for a person)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot().catch(() => null);
      this.reset();
      readOk.set(s ? 1 : 0);
      if (s) for (const [status, n] of Object.entries(s.open)) this.set({ status }, n);
    },
  });
  const reconcileAt = new Gauge({
    name: 'fulfillment_reconcile_last_run_timestamp_seconds',
    help: 'When the reconcile Schedule last started a run (Unix time)',
    registers: [registry],
    async collect() {
      const s = await snapshot().catch(() => null);
      this.reset();
      if (s?.reconcile) this.set(s.reconcile.startedAt / 1000);
    },
  });
  const reconcileFailed = new Gauge({
    name: 'fulfillment_reconcile_last_run_failed',
    help: '1 when the last finished reconcile run failed (or timed out, or was terminated), else 0',
    registers: [registry],
    async collect() {
      const s = await snapshot().catch(() => null);
      this.reset();
      if (s?.reconcile?.failed !== undefined) this.set(s.reconcile.failed ? 1 : 0);
    },
  });
  const reconcileStarted = new Gauge({
    name: 'fulfillment_reconcile_last_run_started_events',
    help: 'Events the last finished reconcile run had to start because their webhook never came',
    registers: [registry],
    async collect() {
      const s = await snapshot().catch(() => null);
      this.reset();
      if (s?.reconcile?.started !== undefined) this.set(s.reconcile.started);
    },
  });
  void [open, reconcileAt, reconcileFailed, reconcileStarted];
}

interface Snapshot {
  open: Record<string, number>;
  reconcile?: { startedAt: number; failed?: boolean; started?: number };
}

async function readSnapshot(client: Client, taskQueue: string): Promise<Snapshot> {
  const open: Record<string, number> = {};
  for (const status of FULFILLMENT_STATUSES) {
    const query = `TaskQueue = '${taskQueue}' AND ${openRunsWithStatus(status)}`;
    open[status] = (await client.workflow.count(query)).count;
  }
  return { open, reconcile: await lastReconcile(client) };
}

/** The Schedule's most recent action, and the outcome of the last one that finished. */
async function lastReconcile(client: Client): Promise<Snapshot['reconcile']> {
  const description = await client.schedule
    .getHandle(RECONCILE_SCHEDULE_ID)
    .describe()
    .catch(() => null);
  const actions = description?.info.recentActions ?? [];
  const latest = actions.at(-1);
  if (!latest) return undefined;
  for (const action of [...actions].reverse()) {
    const handle = client.workflow.getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId);
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') continue;
    if (status.name !== 'COMPLETED') return { startedAt: latest.takenAt.getTime(), failed: true };
    const report = (await handle.result()) as ReconcileReport;
    return { startedAt: latest.takenAt.getTime(), failed: false, started: report.started.length };
  }
  return { startedAt: latest.takenAt.getTime() };
}
