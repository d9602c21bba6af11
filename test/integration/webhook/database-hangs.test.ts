import { buildApp } from '../../../src/app';
import { createTemporalClient } from '../../../src/clients/temporal';
import { createPrisma } from '../../../src/db/prisma';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { startFreezableProxy, startSilentServer } from '../../support/hanging-tcp';
import { deliverSigned } from '../../support/deliver-signed';
import { testEnv } from '../../support/test-env';

const SECRET = 'whsec_test_only_database_hangs';
/** Stripe gives up on an answer after about 10 s: ours must come well before. */
const STRIPE_PATIENCE_MS = 10_000;

/** The API as src/server.ts builds it (the pool's default bounds), over a database at `databaseUrl`. */
async function apiOver(databaseUrl: string, taskQueue: string) {
  const db = createPrisma(databaseUrl);
  const temporal = createTemporalClient({ TEMPORAL_ADDRESS: testEnv.temporalAddress, TEMPORAL_NAMESPACE: 'default' });
  const app = await buildApp({
    db,
    fulfillments: createFulfillmentStarter(temporal, taskQueue),
    webhookSecrets: [SECRET],
    readinessTtlMs: 0,
  });
  return {
    app,
    temporal,
    db,
    async close() {
      await app.close();
      await temporal.connection.close();
      await db.$disconnect().catch(() => {});
    },
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

/** A purchase delivered now is answered 503 database_unavailable well within Stripe's patience, and starts nothing. */
async function expectFast503(api: Awaited<ReturnType<typeof apiOver>>): Promise<void> {
  const event = checkoutEvent({ metadata: sumoMetadata() });
  const { value: response, ms } = await timed(() => deliverSigned(api.app, event, SECRET));
  expect(response.statusCode).toBe(503);
  expect(response.json()).toEqual({ error: 'database_unavailable' });
  expect(ms).toBeLessThan(STRIPE_PATIENCE_MS);
  await expect(api.temporal.workflow.getHandle(event.id).describe()).rejects.toThrow(/not found/i);
}

describe('when the database hangs instead of refusing', () => {
  it('answers 503 in seconds when the database accepts the connection and never speaks, and /readyz says so as quickly', async () => {
    const silent = await startSilentServer();
    const api = await apiOver(`postgresql://postgres@127.0.0.1:${silent.port}/silent`, 'db-silent');
    try {
      await expectFast503(api);

      const { value: ready, ms: readyMs } = await timed(() => api.app.inject({ url: '/readyz' }));
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', temporal: 'ok', database: 'unreachable' });
      expect(readyMs).toBeLessThan(STRIPE_PATIENCE_MS);
    } finally {
      await api.close();
      await silent.close();
    }
  });

  it('answers 503 in seconds when a database that answered stops answering on open connections (a paused server)', async () => {
    const target = new URL(testEnv.databaseUrl);
    const proxy = await startFreezableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(testEnv.databaseUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const api = await apiOver(viaProxy.toString(), 'db-paused');
    try {
      // Warm: the pool holds an open connection to a database that answers.
      expect((await api.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      proxy.freeze();

      await expectFast503(api);
    } finally {
      await api.close();
      await proxy.close();
    }
  });
});
