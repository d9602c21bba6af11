import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { applyMigrations } from '../../../src/db/migrate';
import { createPrisma } from '../../../src/db/prisma';
import { startEmbeddedPostgres, type LocalPostgres } from '../../../src/dev/embedded-postgres';
import { freePort } from '../../../src/dev/free-port';
import { startLocalPostmark, type LocalPostmark } from '../../../src/dev/local-postmark';
import { startTemporalDevServer, type TemporalDevServer } from '../../../src/dev/temporal-dev-server';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { recreateDatabase } from '../../support/recreate-database';
import { startApiProcess, startWorkerProcess, type ServiceParts } from '../../support/stack/service-processes';
import type { NodeProcess } from '../../support/stack/spawn-node';

export const WEBHOOK_SECRET = 'whsec_faults_local';

/** Lines of a worker's log that say a Prisma interactive transaction ran out of time. */
const TRANSACTION_TIMEOUT = /P2028|Transaction API error|expired transaction|Unable to start a transaction/;
/** What the suite keeps of a process's output (the end of it, for a failure message). */
const KEEP_CHARS = 20_000;

/**
 * The production-shaped stack the fault suite owns, all on loopback: an embedded PostgreSQL
 * (its own data folder and port), a Temporal dev server with a database file, the local
 * Postmark, and the API and worker as processes of their own. Each part can be stopped and
 * started again on the same port and data, as an operator would meet it.
 */
export class FaultStack {
  api!: NodeProcess;
  worker!: NodeProcess;
  /** For counting what landed (a small pool of the suite's own). */
  db!: PrismaClient;
  temporalClient!: Client;
  postmark!: LocalPostmark;
  /** Every worker process started, the dead ones too (their logs still count). */
  private workers: NodeProcess[] = [];
  private postgres!: LocalPostgres;
  private temporal!: TemporalDevServer;
  private dir!: string;
  private ports!: { postgres: number; temporal: number; api: number; postmark: number };

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get databaseUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.ports.postgres}/fulfillment_faults_test`;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'fulfillment-faults-'));
    await chmod(this.dir, 0o755); // PostgreSQL runs as user postgres when we are root: let it reach its data here
    const [postgres, temporal, api, postmark] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    this.ports = { postgres, temporal, api, postmark };
    await Promise.all([this.startPostgres(), this.startTemporal()]);
    await recreateDatabase(this.databaseUrl, '_test');
    await applyMigrations(this.databaseUrl);
    this.postmark = await startLocalPostmark({ port: this.ports.postmark });
    this.db = createPrisma(this.databaseUrl, { max: 3 });
    this.temporalClient = new Client({ connection: await Connection.connect({ address: this.temporalAddress }) });
    [this.api, this.worker] = await Promise.all([this.startApi(), this.startWorker()]);
  }

  startApi(): Promise<NodeProcess> {
    return startApiProcess(this.parts(), this.ports.api, { keepChars: KEEP_CHARS }).then((api) => (this.api = api));
  }

  startWorker(extra: Record<string, string> = {}): Promise<NodeProcess> {
    const options = { env: extra, keepChars: KEEP_CHARS, countLines: [TRANSACTION_TIMEOUT] };
    return startWorkerProcess(this.parts(), options).then((worker) => {
      this.workers.push(worker);
      return (this.worker = worker);
    });
  }

  /** Lines of all workers' logs so far that report a Prisma transaction timeout. */
  transactionTimeouts(): number {
    return this.workers.reduce((n, w) => n + w.count(TRANSACTION_TIMEOUT), 0);
  }

  /** Stops the Temporal dev server, keeps it down `downMs`, starts it again on the same port and database file. */
  async restartTemporal(downMs: number): Promise<void> {
    await this.temporal.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startTemporal();
  }

  /** Stops PostgreSQL (fast shutdown: sessions are cut), keeps it down `downMs`, starts it on the same data and port. */
  async restartPostgres(downMs: number): Promise<void> {
    await this.postgres.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startPostgres();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.api?.stop('SIGKILL'), this.worker?.stop('SIGKILL')]);
    await Promise.allSettled([this.temporalClient?.connection.close(), this.db?.$disconnect(), this.postmark?.close()]);
    await Promise.allSettled([this.temporal?.stop(), this.postgres?.stop()]);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Sumo purchases never read line items: the worker's Stripe is nothing (the default). */
  private parts(): ServiceParts {
    return {
      databaseUrl: this.databaseUrl,
      temporalAddress: this.temporalAddress,
      postmarkUrl: this.postmark.url,
      webhookSecret: WEBHOOK_SECRET,
    };
  }

  private async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({ dataDir: join(this.dir, 'postgres'), port: this.ports.postgres });
  }

  // Through the SDK's launcher (createLocal): restarting is stop, then start on the same port and file.
  private async startTemporal(): Promise<void> {
    const dbFile = join(this.dir, 'temporal', 'temporal.db');
    this.temporal = await startTemporalDevServer({ port: this.ports.temporal, uiPort: null, dbFile });
  }
}
