import { buildApp } from '../../../src/app';
import { createTemporalClient } from '../../../src/clients/temporal';
import { createPrisma } from '../../../src/db/prisma';
import { freePort } from '../../../devstack/free-port';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { createFulfillmentStarter, type FulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { testEnv } from '../../support/test-env';
import { deliverSigned } from '../../support/deliver-signed';

const SECRET = 'whsec_test_only_temporal_down';

describe('when Temporal is unreachable', () => {
  it('answers 503 so Stripe retries later, keeps the event unfulfilled, and /readyz says which dependency is down', async () => {
    const db = createPrisma(testEnv.databaseUrl, { max: 2 });
    const temporal = createTemporalClient({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_NAMESPACE: 'default' });
    const app = await buildApp({ db, fulfillments: createFulfillmentStarter(temporal, 'nowhere'), webhookSecrets: [SECRET] });
    try {
      const event = checkoutEvent({ metadata: sumoMetadata() });
      const response = await deliverSigned(app, event, SECRET);

      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'temporal_unavailable' });
      const ledger = await db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } });
      expect(ledger.status).toBe('received');

      const ready = await app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', temporal: 'unreachable', database: 'ok' });
    } finally {
      await app.close();
      await temporal.connection.close().catch(() => {});
      await db.$disconnect();
    }
  });
});

describe('when the database is unreachable', () => {
  it('answers 503 without starting a workflow, and /readyz names the database', async () => {
    const db = createPrisma(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`, { max: 1 });
    const temporal = createTemporalClient({ TEMPORAL_ADDRESS: testEnv.temporalAddress, TEMPORAL_NAMESPACE: 'default' });
    const app = await buildApp({ db, fulfillments: createFulfillmentStarter(temporal, 'db-down'), webhookSecrets: [SECRET] });
    try {
      const event = checkoutEvent({ metadata: sumoMetadata() });
      const response = await deliverSigned(app, event, SECRET);

      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'database_unavailable' });
      await expect(temporal.workflow.getHandle(event.id).describe()).rejects.toThrow(/not found/i);

      const ready = await app.inject({ url: '/readyz' });
      expect(ready.json()).toEqual({ status: 'unavailable', temporal: 'ok', database: 'unreachable' });
    } finally {
      await app.close();
      await temporal.connection.close();
      await db.$disconnect().catch(() => {});
    }
  });
});

describe('when a /readyz probe is still waiting on Temporal as the API closes', () => {
  it('closing waits for it: no call outlives the connection it runs on (a retry after close threw "Channel has been shut down")', async () => {
    const db = createPrisma(testEnv.databaseUrl, { max: 1 });
    let pingEnded = false;
    // A ping that outlasts /readyz's backstop, as the client's retries against a down Temporal can.
    const fulfillments: FulfillmentStarter = {
      start: () => Promise.reject(new Error('not used')),
      exists: () => Promise.reject(new Error('not used')),
      ping: () => new Promise<void>((resolve) => setTimeout(() => ((pingEnded = true), resolve()), 4_500)),
    };
    const app = await buildApp({ db, fulfillments, webhookSecrets: [SECRET], readinessTtlMs: 0 });
    try {
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.json()).toEqual({ status: 'unavailable', temporal: 'unreachable', database: 'ok' });
      expect(pingEnded).toBe(false);
    } finally {
      await app.close();
      await db.$disconnect();
    }
    expect(pingEnded).toBe(true);
  });
});
