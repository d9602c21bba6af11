import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type Stripe from 'stripe';
import { bundleWorkflowsFromSource } from './workflow-bundle';
import type { CatalogData } from '../../src/catalog/catalog';
import { startInProcessService, type InProcessServiceOptions } from './stack/in-process-service';
import { startLocalPostmark } from '../../devstack/local-postmark';
import { signPayload } from '../../devstack/sample-events';
import { statusQuery, type FulfillmentState } from '../../src/contracts';
import type { FulfillmentSummary } from '../../src/contracts';
import { eventually } from './eventually';
import './quiet-runtime';
import { perFile } from './per-file';
import { testEnv } from './test-env';

export const WEBHOOK_SECRET = 'whsec_test_only_not_a_real_secret';
export const SHIPPED_CATALOG: CatalogData = JSON.parse(readFileSync(resolve(__dirname, '../../config/catalog.json'), 'utf8'));

export interface DeliverOptions {
  secret?: string;
  timestamp?: number;
  signature?: string | null;
  body?: string;
}

/** The in-process service's knobs a test may turn; the rest (database, Temporal, Postmark, queue) the harness provides. */
export type HarnessOptions = Partial<
  Omit<InProcessServiceOptions, 'databaseUrl' | 'temporalAddress' | 'taskQueue' | 'webhookSecret' | 'postmarkUrl' | 'workflowBundle'>
>;

/**
 * One test file's world: the real webhook app (Fastify inject), a real worker on its own
 * task queue against the shared Temporal dev server, real PostgreSQL, stripe-mock, and
 * a local Postmark that records what the real postmark client sends.
 */
export async function startHarness(options: HarnessOptions = {}) {
  const postmark = await startLocalPostmark();
  const taskQueue = `test-${randomUUID()}`;
  const service = await startInProcessService({
    ...options,
    databaseUrl: testEnv.databaseUrl,
    temporalAddress: testEnv.temporalAddress,
    taskQueue,
    webhookSecret: WEBHOOK_SECRET,
    catalog: options.catalog ?? SHIPPED_CATALOG,
    stripeApiBase: options.stripeApiBase ?? testEnv.stripeApiBase,
    postmarkUrl: postmark.url,
    // The shared bundle has no tracing interceptors, as a worker with tracing off runs.
    workflowBundle: options.tracing ? await bundleWorkflowsFromSource({ traced: true }) : { codePath: testEnv.workflowBundlePath },
  });
  const { db, client, app, metricsApp, workerDeps } = service;

  /** Resolves when the run has closed, or has no step left running (a lifecycle run may sleep on after its steps). */
  const stepsDone = async (eventId: string, timeoutMs: number) => {
    const handle = client.workflow.getHandle(eventId);
    await eventually(
      async () => {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return true;
        const state = await handle.query(statusQuery);
        return state.steps.every((step) => step.status === 'completed' || step.status === 'skipped');
      },
      (done) => done,
      { timeoutMs, intervalMs: 50 },
    );
  };

  const harness = {
    db,
    postmark,
    client,
    app,
    /** The API's /metrics, served apart from the webhook. */
    metricsApp,
    taskQueue,
    workerDeps,

    /** POSTs the event to the webhook, signed like Stripe signs it unless told otherwise. */
    deliver(event: Stripe.Event | object, opts: DeliverOptions = {}) {
      const body = opts.body ?? JSON.stringify(event);
      const signature = opts.signature === undefined ? signPayload(body, opts.secret ?? WEBHOOK_SECRET, opts.timestamp) : opts.signature;
      return app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: { 'content-type': 'application/json; charset=utf-8', ...(signature === null ? {} : { 'stripe-signature': signature }) },
        payload: body,
      });
    },

    /** The fulfillment's result (throws its failure). */
    result(eventId: string): Promise<FulfillmentSummary> {
      return client.workflow.getHandle<() => Promise<FulfillmentSummary>>(eventId).result();
    },

    /**
     * Resolves when every event's workflow has recorded its outcome in the ledger and finished its
     * steps, the emails too (lifecycle workflows may go on sleeping through a grace period after
     * that); throws if any failed.
     */
    async settled(eventIds: string[], timeoutMs = 30_000): Promise<void> {
      const unique = [...new Set(eventIds)];
      const allCompleted = (rows: Array<{ status: string }>) =>
        rows.length === unique.length && rows.every((r) => r.status === 'completed');
      const rows = await eventually(
        () => db.stripeEvent.findMany({ where: { id: { in: unique } }, select: { id: true, status: true, lastError: true } }),
        (rows) => allCompleted(rows) || rows.some((r) => r.status === 'failed'),
        { timeoutMs, intervalMs: 50 },
      );
      const failed = rows.find((r) => r.status === 'failed');
      if (failed) throw new Error(`event ${failed.id} failed: ${failed.lastError}`);
      if (!allCompleted(rows)) {
        throw new Error(
          `events not settled after ${timeoutMs} ms: ${unique.filter((id) => !rows.some((r) => r.id === id && r.status === 'completed')).join(', ')}`,
        );
      }
      // The ledger says completed once access is there; the email follows it: wait for each run's steps.
      await Promise.all(unique.map((id) => stepsDone(id, timeoutMs)));
    },

    /** Waits until the workflow waits for an operator (NeedsAttention) and returns what it reports. */
    async attention(
      eventId: string,
      timeoutMs = 30_000,
    ): Promise<NonNullable<FulfillmentState['attention']> & { state: FulfillmentState }> {
      const state = await eventually(
        () =>
          client.workflow
            .getHandle(eventId)
            .query(statusQuery)
            .catch(() => null),
        (s) => !!s?.attention,
        { timeoutMs },
      );
      if (!state?.attention)
        throw new Error(`${eventId} did not reach NeedsAttention in ${timeoutMs} ms (state: ${JSON.stringify(state)})`);
      return { ...state.attention, state };
    },

    /** Whether a workflow with this id was ever started. */
    async workflowExists(eventId: string): Promise<boolean> {
      try {
        await client.workflow.getHandle(eventId).describe();
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /** Number of runs Temporal holds for this workflow id. */
    async runCount(eventId: string): Promise<number> {
      let count = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${eventId}'` })) count++;
      return count;
    },

    /** Simulates a deploy of a changed catalogue: the worker restarts with it. */
    restartWorker: (catalog: CatalogData) => service.restartWorker(catalog),

    async close() {
      await service.close();
      await postmark.close();
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * The test file's harness, started before its tests and closed after them. `options` may be a
 * function, read once the resources registered before it (e.g. `useLocalStripeEvents()`) have started.
 */
export function useHarness(options: HarnessOptions | (() => HarnessOptions) = {}): Harness {
  return perFile(
    'the harness',
    () => startHarness(typeof options === 'function' ? options() : options),
    (h) => h.close(),
  );
}
