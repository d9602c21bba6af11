import { decodeTimeoutType } from '@temporalio/common';
import { buildApp } from '../../../src/app';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { runNextWorkerUntil } from '../../support/stack/next-deploy-worker';
import { useOwnProcessStack } from '../../support/stack/process-stack';
import '../../support/quiet-runtime';

/**
 * A worker that dies (SIGKILL, an OOM kill) while a welcome email waits on Postmark leaves a
 * workflow task nobody will complete (the send is a local activity, run inside it). Temporal
 * must notice by the task's timeout (10 s), hand the run to the next worker, and that worker's
 * attempt must find the message Postmark accepted instead of sending it again. The dying worker
 * is its own process (src/worker.ts).
 */
const s = useOwnProcessStack('crash');

describe('a worker killed while an email is being sent', () => {
  it('is noticed by its workflow task timing out; the next worker records the email Postmark accepted, sending nothing twice', async () => {
    const worker = (await s.startWorker()).child;
    const app = await buildApp({
      db: s.db,
      fulfillments: createFulfillmentStarter(s.temporalClient, s.taskQueue),
      webhookSecrets: [s.webhookSecret],
    });
    const email = `crash.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    // Postmark accepts the message only after 20 s; the worker dies before that.
    s.postmark.failNext(1, { kind: 'slow', delayMs: 20_000 });
    expect((await deliverSigned(app, event, s.webhookSecret)).statusCode).toBe(200);
    await eventually(
      () => s.db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } }),
      (row) => row?.status === 'sending',
    );
    worker.kill('SIGKILL');

    // With no worker at all, Temporal times the workflow task out and schedules the next one.
    const handle = s.temporalClient.workflow.getHandle(event.id);
    const timedOut = await eventually(
      async () => (await handle.fetchHistory()).events?.find((e) => e.workflowTaskTimedOutEventAttributes),
      (e) => e !== undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(decodeTimeoutType(timedOut?.workflowTaskTimedOutEventAttributes?.timeoutType)).toBe('START_TO_CLOSE');

    // The next worker finishes the run once Postmark has the message: it is found, not sent again.
    await eventually(
      async () => s.postmark.outbox.filter((m) => m.to === email).length,
      (n) => n === 1,
      { timeoutMs: 30_000 },
    );
    await runNextWorkerUntil(s, handle.result());
    await app.close();

    expect(await s.db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } })).toMatchObject({ status: 'sent' });
    expect(s.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  }, 150_000);
});
