import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../generated/prisma/client';
import type { FulfillmentStarter } from '../temporal/start-fulfillment';

export interface HealthDeps {
  db: PrismaClient;
  fulfillments: FulfillmentStarter;
}

/** /healthz: the process is up. /readyz: it can do its job (Temporal and the database answer). */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const [temporal, database] = await Promise.all([check(() => deps.fulfillments.ping()), check(() => deps.db.$queryRaw`SELECT 1`)]);
    const ready = temporal === 'ok' && database === 'ok';
    if (!ready) request.log.warn({ temporal, database }, 'not ready');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', temporal, database });
  });
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  try {
    await probe();
    return 'ok';
  } catch {
    return 'unreachable';
  }
}
