import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../../../src/app';
import { loadWorkerConfig } from '../../../src/config';
import { createPrisma } from '../../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../../src/dev/local-postmark';
import { checkoutEvent, sumoMetadata } from '../../../src/dev/sample-events';
import { startTemporalDevServer, type TemporalDevServer } from '../../../src/dev/temporal-dev-server';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { buildWorker } from '../../../src/worker/build-worker';
import { createWorkerDeps } from '../../../src/worker/worker-deps';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { startWorkerProcess as startWorker } from '../../support/worker-process';
import '../../support/quiet-runtime';
import { testEnv } from '../../support/test-env';
import { bundleWorkflowsFromSource } from '../../support/workflow-bundle';

/**
 * A rolling deploy sends the worker SIGTERM. It must stop polling, let the running activities
 * finish (here: a welcome email Postmark takes 3 s to accept) and exit 0 — not kill them, which
 * left the email's delivery row `sending` and the fulfillment in NeedsAttention.
 * The worker runs as its own process (src/worker.ts), on a Temporal dev server of this file's own.
 */
const SECRET = 'whsec_test_shutdown';
const TASK_QUEUE = `shutdown-${randomUUID()}`;
let temporal: TemporalDevServer;
let postmark: LocalPostmark;
let client: Client;
const db = createPrisma(testEnv.databaseUrl, { max: 2 });
const children: ChildProcess[] = [];

beforeAll(async () => {
  [temporal, postmark] = await Promise.all([startTemporalDevServer({ uiPort: null }), startLocalPostmark()]);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await client?.connection.close();
  await db.$disconnect();
  await Promise.allSettled([temporal?.stop(), postmark?.close()]);
});

const workerEnv = () => ({
  DATABASE_URL: testEnv.databaseUrl,
  TEMPORAL_ADDRESS: temporal.address,
  TEMPORAL_TASK_QUEUE: TASK_QUEUE,
  STRIPE_SECRET_KEY: 'sk_test_shutdown',
  STRIPE_API_BASE: testEnv.stripeApiBase,
  POSTMARK_SERVER_TOKEN: 'local-postmark-token',
  POSTMARK_API_URL: postmark.url,
  POSTMARK_FROM: 'hello@saas.example',
  WORKER_METRICS_ADDRESS: 'off',
  RECONCILE_EVERY: 'off',
  LOG_LEVEL: 'info',
});

describe('the worker on SIGTERM', () => {
  it('lets the email being sent finish, records it sent, and exits 0; the fulfillment completes with no operator', async () => {
    const worker = await startWorker(workerEnv(), children);
    const app = await buildApp({ db, fulfillments: createFulfillmentStarter(client, TASK_QUEUE), webhookSecrets: [SECRET] });
    const email = `shutdown.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    postmark.failNext(1, { kind: 'slow', delayMs: 3_000 });
    const response = await deliverSigned(app, event, SECRET);
    expect(response.statusCode).toBe(200);

    const sending = await eventually(
      () => db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } }),
      (row) => row?.status === 'sending',
    );
    expect(sending?.status).toBe('sending'); // Postmark holds the request now
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } })).toMatchObject({ status: 'sent' });

    // The next deploy's worker finishes the run.
    const config = loadWorkerConfig(workerEnv());
    const resources = createWorkerDeps(config);
    const connection = await NativeConnection.connect({ address: temporal.address });
    const next = await buildWorker({
      connection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      deps: resources.deps,
      workflowBundle: await bundleWorkflowsFromSource(),
      maxActivityAttempts: 3,
    });
    const handle = client.workflow.getHandle(event.id);
    // It completes (a run waiting in NeedsAttention would never resolve).
    await next.runUntil(handle.result());
    await connection.close();
    await resources.close();
    await app.close();

    expect(await db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'completed' });
    expect(postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(worker.output()).toMatch(/shutting down/);
  }, 120_000);
});
