import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { applyMigrations } from '../../../src/db/migrate';
import { createPrisma } from '../../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { payloadDataConverter } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { startApiProcess, startWorkerProcess, type ServiceParts } from '../../support/stack/service-processes';
import type { NodeProcess } from '../../support/stack/spawn-node';
import { startLocalStripeEvents, type LocalStripeEvents } from '../../support/local-stripe-events';
import { recreateDatabase } from '../../support/recreate-database';
import { reservedPort } from '../../support/reserved-port';
import { TemporalCluster } from '../../support/temporal-cluster';

export const WEBHOOK_SECRET = 'whsec_cluster_local';

/**
 * The service scaled out on a PostgreSQL-backed Temporal cluster: API and worker processes of
 * their own (from sources, through test/support/stack's spawn helper), the service's database next to the
 * cluster's on the PostgreSQL of TEST_DATABASE_URL, a local Postmark and a Stripe Events API
 * stand-in (for reconciliation). Payloads are encrypted, as in production.
 */
export class ClusterStack {
  cluster!: TemporalCluster;
  db!: PrismaClient;
  temporalClient!: Client;
  postmark!: LocalPostmark;
  stripeEvents!: LocalStripeEvents;
  apis: NodeProcess[] = [];
  /** Live workers, oldest first. */
  workers: NodeProcess[] = [];
  readonly payloadKeys = `k1:${randomBytes(32).toString('base64')}`;
  private apiPorts: number[] = [];

  constructor(private readonly testDatabaseUrl: string) {}

  /** The service's own database: `<name>_cluster_test`, apart from the integration suite's. */
  get databaseUrl(): string {
    const url = new URL(this.testDatabaseUrl);
    url.pathname = `/${decodeURIComponent(url.pathname.slice(1)).replace(/_test$/, '')}_cluster_test`;
    return url.toString();
  }

  apiUrl(i: number): string {
    return `http://127.0.0.1:${this.apiPorts[i]}`;
  }

  async start({ dynamicConfig }: { dynamicConfig?: Record<string, unknown> } = {}): Promise<void> {
    await recreateDatabase(this.databaseUrl, '_test');
    const [cluster] = await Promise.all([
      TemporalCluster.start({ databaseUrl: this.databaseUrl, dynamicConfig }),
      applyMigrations(this.databaseUrl),
    ]);
    this.cluster = cluster;
    this.postmark = await startLocalPostmark();
    this.stripeEvents = await startLocalStripeEvents();
    this.db = createPrisma(this.databaseUrl, { max: 3 });
    this.temporalClient = new Client({
      connection: await Connection.connect({ address: cluster.address }),
      dataConverter: payloadDataConverter(parsePayloadKeys(this.payloadKeys)),
    });
  }

  /** Starts API number `i` (a port of its own, kept across restarts). */
  async startApi(i: number): Promise<NodeProcess> {
    this.apiPorts[i] ??= await reservedPort();
    const api = await startApiProcess(this.parts(), this.apiPorts[i], { env: { PAYLOAD_KEYS: this.payloadKeys } });
    this.apis[i] = api;
    return api;
  }

  /** Starts one more worker (it bundles the workflows from sources at boot, like `npm run dev`). */
  async startWorker(): Promise<NodeProcess> {
    const env = { PAYLOAD_KEYS: this.payloadKeys, RECONCILE_EVERY: '1h', RECONCILE_LOOKBACK: '1h' };
    const worker = await startWorkerProcess(this.parts(), { env });
    this.workers.push(worker);
    return worker;
  }

  /** Stops a worker with `signal` and forgets it. */
  async stopWorker(worker: NodeProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    this.workers = this.workers.filter((w) => w !== worker);
    return worker.stop(signal);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.apis, ...this.workers].map((p) => p?.stop('SIGKILL')));
    await Promise.allSettled([
      this.temporalClient?.connection.close(),
      this.db?.$disconnect(),
      this.postmark?.close(),
      this.stripeEvents?.close(),
    ]);
    await this.cluster?.close();
  }

  private parts(): ServiceParts {
    return {
      databaseUrl: this.databaseUrl,
      temporalAddress: this.cluster.address,
      postmarkUrl: this.postmark.url,
      stripeApiBase: this.stripeEvents.url,
      webhookSecret: WEBHOOK_SECRET,
    };
  }
}
