import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { runNextWorkerUntil } from '../../support/stack/next-deploy-worker';
import { useOwnProcessStack } from '../../support/stack/process-stack';
import '../../support/quiet-runtime';

/**
 * A rolling deploy sends the worker SIGTERM. It must stop polling, let the running activities
 * finish (here: a welcome email Postmark takes 3 s to accept) and exit 0 — not kill them, which
 * left the email's delivery row `sending` and the fulfillment in NeedsAttention.
 * The worker runs as its own process (src/worker.ts), on a Temporal dev server of this file's own.
 */
const s = useOwnProcessStack('shutdown');

describe('the worker on SIGTERM', () => {
  it('lets the email being sent finish, records it sent, and exits 0; the fulfillment completes with no operator', async () => {
    const worker = await s.startWorker();
    const app = await s.webhookApp();
    const email = `shutdown.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    s.postmark.failNext(1, { kind: 'slow', delayMs: 3_000 });
    const response = await deliverSigned(app, event, s.webhookSecret);
    expect(response.statusCode).toBe(200);

    const sending = await eventually(
      () => s.db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } }),
      (row) => row?.status === 'sending',
    );
    expect(sending?.status).toBe('sending'); // Postmark holds the request now
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await s.db.emailDelivery.findFirst({ where: { eventId: event.id, kind: 'welcome' } })).toMatchObject({ status: 'sent' });

    // The next deploy's worker finishes the run.
    const handle = s.temporalClient.workflow.getHandle(event.id);
    // It completes (a run waiting in NeedsAttention would never resolve).
    await runNextWorkerUntil(s, handle.result());
    await app.close();

    expect(await s.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'completed' });
    expect(s.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(worker.output()).toMatch(/shutting down/);
  }, 120_000);
});
