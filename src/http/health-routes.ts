import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';
import { createReadinessProbe } from './readiness';

export interface HealthDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
  /** How long /readyz reuses a probe's answer (default READINESS_TTL_MS; tests set 0). */
  readinessTtlMs?: number;
}

/** /healthz: the process is up. /readyz: it can do its job (Temporal and the database answer),
 *  probed at most once per readiness window whatever the request rate (readiness.ts). */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  const readiness = createReadinessProbe(deps, deps.readinessTtlMs === undefined ? {} : { ttlMs: deps.readinessTtlMs });
  // Close waits for a probe still running: its Temporal ping must not outlive the connection.
  app.addHook('onClose', () => readiness.settled());
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const { ready, temporal, database } = await readiness.read();
    if (!ready) request.log.warn({ temporal, database }, 'not ready');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', temporal, database });
  });
}
