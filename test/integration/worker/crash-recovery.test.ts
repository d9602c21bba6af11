import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { decodeTimeoutType } from '@temporalio/common';
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
 * A worker that dies (SIGKILL, an OOM kill) while a welcome email waits on Postmark leaves an
 * attempt nobody will report. Temporal must notice by the missing heartbeats — not wait for
 * the 30 s start-to-close timeout — and the next attempt must find the message Postmark
 * accepted instead of sending it again. The dying worker is its own process (src/worker.ts).
 */
const SECRET = 'whsec_test_crash';
const TASK_QUEUE = `crash-${randomUUID()}`;
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
  STRIPE_SECRET_KEY: 'sk_test_crash',
  STRIPE_API_BASE: testEnv.stripeApiBase,
  POSTMARK_SERVER_TOKEN: 'local-postmark-token',
  POSTMARK_API_URL: postmark.url,
  POSTMARK_FROM: 'hello@saas.example',
  WORKER_METRICS_ADDRESS: 'off',
  RECONCILE_EVERY: 'off',
});

describe('a worker killed while an email is being sent', () => {
  it('is noticed by its missing heartbeats; the next worker records the email Postmark accepted, sending nothing twice', async () => {
    const worker = (await startWorker(workerEnv(), children)).child;
    const app = await buildApp({ db, fulfillments: createFulfillmentStarter(client, TASK_QUEUE), webhookSecrets: [SECRET] });
    const email = `crash.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    // Postmark accepts the message only after 20 s; the worker dies before that.
    postmark.failNext(1, { kind: 'slow', delayMs: 20_000 });
    expect((await deliverSigned(app, event, SECRET)).statusCode).toBe(200);
    await eventually(
      () => db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } }),
      (row) => row?.status === 'sending',
    );
    worker.kill('SIGKILL');

    // With no worker at all, Temporal times the attempt out and schedules the next one.
    const handle = client.workflow.getHandle(event.id);
    const pending = await eventually(
      async () => (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'sendWelcomeEmail'),
      (a) => (a?.attempt ?? 0) >= 2,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(pending?.attempt).toBeGreaterThanOrEqual(2);
    expect(decodeTimeoutType(pending?.lastFailure?.timeoutFailureInfo?.timeoutType)).toBe('HEARTBEAT');

    // The next worker finishes the run once Postmark has the message: it is found, not sent again.
    await eventually(
      async () => postmark.outbox.filter((m) => m.to === email).length,
      (n) => n === 1,
      { timeoutMs: 30_000 },
    );
    const resources = createWorkerDeps(loadWorkerConfig(workerEnv()), { postmarkSearchSettleMs: 0 });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const next = await buildWorker({
      connection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      deps: resources.deps,
      workflowBundle: await bundleWorkflowsFromSource(),
      maxActivityAttempts: 10,
    });
    await next.runUntil(handle.result());
    await connection.close();
    await resources.close();
    await app.close();

    expect(await db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } })).toMatchObject({ status: 'sent' });
    expect(postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  }, 150_000);
});
