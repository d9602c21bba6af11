import { buildApp } from '../../../src/app';
import { checkoutEvent, signPayload, sumoMetadata } from '../../../devstack/sample-events';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { useHarness, WEBHOOK_SECRET } from '../../support/harness';

const h = useHarness();

const sumoEvent = () => checkoutEvent({ metadata: sumoMetadata() });

describe('requests the webhook refuses, starting no workflow', () => {
  it('400 when the signature was made with another secret', async () => {
    const event = sumoEvent();
    const response = await h.deliver(event, { secret: 'whsec_someone_else' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_signature' });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('400 when the body was changed after signing', async () => {
    const event = sumoEvent();
    const signed = JSON.stringify(event);
    const response = await h.deliver(event, { body: signed.replace('paid', 'PAID'), signature: signPayload(signed, WEBHOOK_SECRET) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_signature' });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('400 when the signed timestamp is older than 5 minutes (replay)', async () => {
    const event = sumoEvent();
    const response = await h.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'stale_signature' });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('400 when the Stripe-Signature header is missing', async () => {
    const event = sumoEvent();
    const response = await h.deliver(event, { signature: null });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'missing_signature' });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('400 when the signed body is not JSON', async () => {
    const response = await h.deliver({}, { body: 'id=evt_123&type=checkout.session.completed' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_json' });
  });

  it('413 when the body is over 1 MiB, before any signature work', async () => {
    const event = sumoEvent();
    const body = JSON.stringify({ ...event, padding: 'x'.repeat(1024 * 1024) });
    const response = await h.deliver(event, { body });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'payload_too_large' });
    expect(await h.workflowExists(event.id)).toBe(false);
  });

  it('accepts a signature made with any of the configured secrets while a secret is rolled', async () => {
    const rolling = await buildApp({
      db: h.db,
      fulfillments: createFulfillmentStarter(h.client, h.taskQueue),
      webhookSecrets: ['whsec_old_secret', WEBHOOK_SECRET],
    });
    try {
      const event = sumoEvent();
      const body = JSON.stringify(event);
      for (const secret of ['whsec_old_secret', WEBHOOK_SECRET]) {
        const response = await rolling.inject({
          method: 'POST',
          url: '/webhooks/stripe',
          headers: { 'stripe-signature': signPayload(body, secret) },
          payload: body,
        });
        expect(response.statusCode).toBe(200);
      }
    } finally {
      await rolling.close();
    }
  });
});

describe('health', () => {
  it('/healthz answers while the process is up and /readyz when Temporal and the database answer', async () => {
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', temporal: 'ok', database: 'ok' });
  });
});
