import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { runNextWorkerUntil } from '../../support/stack/next-deploy-worker';
import { useOwnProcessStack } from '../../support/stack/process-stack';
import '../../support/quiet-runtime';

/**
 * A worker that dies (SIGKILL, an OOM kill) while a welcome email waits on Postmark leaves an
 * activity task nobody will complete. Temporal must notice by the attempt's start-to-close (30 s),
 * hand the send to the next worker, and that worker's attempt must find the message Postmark
 * accepted instead of sending it again. The dying worker is its own process (src/worker.ts).
 */
const s = useOwnProcessStack('crash');

describe('a worker killed while an email is being sent', () => {
  it('is noticed by the send timing out; the next worker records the email Postmark accepted, sending nothing twice', async () => {
    const worker = (await s.startWorker()).child;
    const app = await s.webhookApp();
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

    // Access was given before the email: the event is marked fulfilled while the send hangs.
    expect(await s.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'completed' });
    const handle = s.temporalClient.workflow.getHandle(event.id);

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
