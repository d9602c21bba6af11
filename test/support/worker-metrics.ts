/** The worker's Temporal SDK metrics that deploy/prometheus/alerts.yml and the Grafana dashboard use
 *  (test/unit/deploy/alert-rules.test.ts); test/integration/metrics/metrics.test.ts checks a live worker serves them. */
export const WORKER_METRICS = [
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_worker_task_slots_available',
  'temporal_workflow_completed',
  'temporal_workflow_failed',
];
