import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createWebhookMetrics } from '../../../src/http/webhook-metrics';
import { registerFulfillmentGauges } from '../../../src/http/fulfillment-gauges';
import type { Client } from '@temporalio/client';
import { fromRoot } from '../../support/paths';
import { WORKER_METRICS } from '../../support/worker-metrics';

/**
 * The alert rules and the dashboard that ship in deploy/: Prometheus' rule-file shape, and every
 * metric they name is one the service exports — the API's registry (read here), the worker's
 * Temporal SDK metrics (WORKER_METRICS below, checked against a live worker in
 * test/integration/metrics/metrics.test.ts).
 */

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(fromRoot('deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> })
  .groups;
const dashboard = JSON.parse(readFileSync(fromRoot('deploy/grafana/dashboards/stripe-fulfillment.json'), 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};

/** The API's metric names, as its /metrics lists them (the gauges' HELP lines need no Temporal). */
async function apiMetricNames(): Promise<Set<string>> {
  const registry = createWebhookMetrics().registry;
  const unreachable = { workflow: { count: () => Promise.reject(new Error('offline')) } } as unknown as Client;
  registerFulfillmentGauges(registry, unreachable, 'stripe-fulfillment');
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
}

/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or strings. */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const words = withoutStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[]|\s*\)|\s*$|\s*[<>=!*/+-])/g) ?? [];
  const notMetrics = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'le', 'time']);
  return words.filter((w) => !notMetrics.has(w) && /_/.test(w));
}

const exported = (name: string, api: Set<string>) => {
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return api.has(name) || api.has(base) || WORKER_METRICS.includes(base) || WORKER_METRICS.includes(name);
};

describe('deploy/prometheus/alerts.yml', () => {
  const all = rules.flatMap((g) => g.rules);

  it('is a Prometheus rule file whose alerts each have a name, an expression, a wait, a severity and what to do', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const group of rules) expect(group.name).toMatch(/\S/);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.expr).toMatch(/\S/);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['page', 'ticket']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toMatch(/\S/);
      expect(rule.annotations?.description).toMatch(/\S/);
    }
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
  });

  it('alerts on fulfillments waiting for a person, the 503 rate, schedule-to-start latency and reconciliation failing or starting events', () => {
    const exprs = all.map((r) => r.expr).join('\n');
    expect(exprs).toContain('fulfillments_open{status="NeedsAttention"}');
    expect(exprs).toContain('stripe_webhook_requests_total{status_code="503"}');
    expect(exprs).toContain('temporal_workflow_task_schedule_to_start_latency_bucket');
    expect(exprs).toContain('fulfillment_reconcile_last_run_failed');
    expect(exprs).toContain('fulfillment_reconcile_last_run_started_events');
  });

  it('names only metrics the service exports, in its alerts and in the Grafana dashboard', async () => {
    const api = await apiMetricNames();
    const exprs = [...all.map((r) => r.expr), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    const named = exprs.flatMap(metricsIn);
    expect(named.length).toBeGreaterThan(exprs.length);
    expect(named.filter((name) => !exported(name, api))).toEqual([]);
  });
});
