import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { buildApp } from '../../../src/app';
import { loadWorkerConfig } from '../../../src/config';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { applyMigrations } from '../../../src/db/migrate';
import { createPrisma } from '../../../src/db/prisma';
import { startEmbeddedPostgres, type LocalPostgres } from '../../../devstack/embedded-postgres';
import { freePort } from '../../../devstack/free-port';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { startTemporalDevServer, type TemporalDevServer } from '../../../devstack/temporal-dev-server';
import { startToxiproxy, type Toxiproxy } from '../../../devstack/toxiproxy';
import type { PrismaClient } from '../../../src/generated/prisma/client';
import { recreateDatabase } from '../recreate-database';
import { testEnv } from '../test-env';
import { apiEnv, startServiceProcess, workerEnv, type ServiceParts } from './service-processes';
import type { NodeProcess } from './spawn-node';

/** The stack's signing secret unless `webhookSecret` says otherwise. */
export const WEBHOOK_SECRET = 'whsec_process_stack_local';

/** Lines of a worker's log that say a Prisma interactive transaction ran out of time. */
const TRANSACTION_TIMEOUT = /P2028|Transaction API error|expired transaction|Unable to start a transaction/;

export interface ProcessStackOptions {
  /** `owned`: an embedded PostgreSQL in the stack's temp folder, its database recreated and migrated, restartable; or a given (migrated) database. */
  postgres: 'owned' | { url: string };
  /** `owned`: a Temporal dev server with a database file, restartable; or a given server or cluster (its search attributes registered). */
  temporal: 'owned' | { address: string };
  /** An owned dev server's dynamic config on top of its own (devstack/temporal-dev-server.ts), e.g. the priority matcher off. */
  temporalDynamicConfig?: Record<string, string | number | boolean>;
  /** An owned dev server's Prometheus /metrics port (the bench reads activity heartbeats there); default: a random one. */
  temporalMetricsPort?: number;
  /** A Postmark stand-in the caller owns (left open by `stop`); default: one of the stack's own. */
  postmark?: LocalPostmark;
  /** `source` (default) runs src/*.ts through tsx; `dist` the compiled build, as production. */
  build?: 'source' | 'dist';
  /** The checkout whose API and worker run (default: this one). */
  cwd?: string;
  /** Default: the worker's own (src/config.ts). */
  taskQueue?: string;
  webhookSecret?: string;
  /** The worker's Stripe API (stripe-mock); default: nothing listens (Sumo purchases never call Stripe). */
  stripeApiBase?: string;
  /** Added to every API's and worker's environment. */
  env?: Record<string, string>;
  /** Processes `start` starts (default 1 each); more with startApi and startWorker. */
  apis?: number;
  workers?: number;
  /** `log` (default): ready at the log line; `probe`: at GET /healthz, and once the worker's pid polls the task queue (any LOG_LEVEL). */
  readyBy?: 'log' | 'probe';
  /** Lines the processes' `count` counts, besides transaction timeouts. */
  countLines?: RegExp[];
  /** What each process keeps of its output (default 20,000 characters). */
  keepChars?: number;
  /**
   * A Toxiproxy proxy in front of each dependency (`Dependency`, the proxy's name): the APIs and
   * workers reach them through it, the stack's own `db` and `temporalClient` directly. Toxics are
   * switched with `toxiproxy.addToxic(dependency, …)`.
   */
  toxiproxy?: boolean;
}

/** What the service depends on; with the `toxiproxy` option, the name of the proxy in front of it. */
export type Dependency = 'postgres' | 'temporal' | 'stripe' | 'postmark';

/** Per process: node flags, and niceness (nice(1) execs node under the same pid). */
export interface ProcessTweaks {
  nodeArgs?: string[];
  nice?: number;
}

/**
 * The service as production runs it, all on loopback: any number of API and worker processes
 * (src/server.ts, src/worker.ts, or their dist/ build) over a PostgreSQL, a Temporal server and
 * a Postmark stand-in, each owned by the stack or given. What the stack owns can be stopped and
 * started again on the same port and data, as an operator would meet it.
 */
export class ProcessStack {
  /** Every API and worker process started, the dead ones too (their logs still count). */
  readonly apis: NodeProcess[] = [];
  readonly workers: NodeProcess[] = [];
  /** For counting what landed (a small pool of the stack's own). */
  db!: PrismaClient;
  temporalClient!: Client;
  postmark!: LocalPostmark;
  /** With the `toxiproxy` option: the server whose proxies stand between the service and its dependencies. */
  toxiproxy?: Toxiproxy;
  /** The proxies' listen addresses (`host:port`), by dependency. */
  private proxied: Partial<Record<Dependency, string>> = {};
  private postgres?: LocalPostgres;
  private temporal?: TemporalDevServer;
  private dir?: string;
  private ports = { postgres: 0, temporal: 0 };
  /** The port of each API slot: slot 0 is apiUrl. */
  private apiPorts: number[] = [];
  private apiSlots: (NodeProcess | 'starting' | undefined)[] = [];

  constructor(readonly options: ProcessStackOptions) {}

  /** The API started last. */
  get api(): NodeProcess {
    return this.apis[this.apis.length - 1];
  }

  /** The worker started last. */
  get worker(): NodeProcess {
    return this.workers[this.workers.length - 1];
  }

  get apiUrl(): string {
    return this.apiUrls[0];
  }

  get apiUrls(): string[] {
    return this.apiPorts.map((port) => `http://127.0.0.1:${port}`);
  }

  get databaseUrl(): string {
    const { postgres } = this.options;
    return postgres === 'owned' ? `postgresql://postgres@127.0.0.1:${this.ports.postgres}/fulfillment_stack_test` : postgres.url;
  }

  get temporalAddress(): string {
    const { temporal } = this.options;
    return temporal === 'owned' ? `127.0.0.1:${this.ports.temporal}` : temporal.address;
  }

  get webhookSecret(): string {
    return this.options.webhookSecret ?? WEBHOOK_SECRET;
  }

  /** The task queue the workers poll (the worker's default unless given). */
  get taskQueue(): string {
    return loadWorkerConfig(this.workerEnv()).TEMPORAL_TASK_QUEUE;
  }

  async start(): Promise<void> {
    const { postgres, temporal } = this.options;
    if (postgres === 'owned' || temporal === 'owned') {
      this.dir = await mkdtemp(join(tmpdir(), 'fulfillment-stack-'));
      await chmod(this.dir, 0o755); // PostgreSQL runs as user postgres when we are root: let it reach its data here
    }
    if (postgres === 'owned') this.ports.postgres = await freePort();
    if (temporal === 'owned') this.ports.temporal = await freePort();
    await Promise.all([postgres === 'owned' && this.startPostgres(), temporal === 'owned' && this.startTemporal()]);
    if (postgres === 'owned') {
      await recreateDatabase(this.databaseUrl, '_test');
      await applyMigrations(this.databaseUrl);
    }
    this.postmark = this.options.postmark ?? (await startLocalPostmark());
    if (this.options.toxiproxy) await this.startProxies();
    this.db = createPrisma(this.databaseUrl, { max: 3 });
    this.temporalClient = new Client({ connection: await Connection.connect({ address: this.temporalAddress }) });
    const { apis = 1, workers = 1 } = this.options;
    await Promise.all([
      ...Array.from({ length: apis }, () => this.startApi()),
      ...Array.from({ length: workers }, () => this.startWorker()),
    ]);
  }

  /**
   * An API process on `slot`'s port; by default the first slot whose API has exited (a restarted
   * API answers where the dead one did), else a new slot on a new port.
   */
  async startApi(extra: Record<string, string> = {}, options: ProcessTweaks & { slot?: number } = {}): Promise<NodeProcess> {
    const taken = (p: NodeProcess | 'starting' | undefined) =>
      p === 'starting' || (p !== undefined && p.child.exitCode === null && p.child.signalCode === null);
    let slot = options.slot ?? this.apiSlots.findIndex((p) => !taken(p));
    if (slot < 0) slot = this.apiSlots.length;
    this.apiSlots[slot] = 'starting';
    this.apiPorts[slot] ??= await freePort();
    const port = this.apiPorts[slot];
    const api = await startServiceProcess('api', apiEnv(this.parts(), port, { ...this.options.env, ...extra }), {
      ...this.processOptions(options),
      ready: this.options.readyBy === 'probe' ? async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok : undefined,
    }).catch((err: unknown) => {
      this.apiSlots[slot] = undefined;
      throw err;
    });
    this.apiSlots[slot] = api;
    this.apis.push(api);
    return api;
  }

  /** A worker process, with `extra` added to its environment; resolves once it polls. */
  async startWorker(extra: Record<string, string> = {}, options: ProcessTweaks = {}): Promise<NodeProcess> {
    const taskQueue = this.taskQueue;
    const worker = await startServiceProcess('worker', this.workerEnv(extra), {
      ...this.processOptions(options),
      ready: this.options.readyBy === 'probe' ? (pid) => this.polls(taskQueue, pid) : undefined,
    });
    this.workers.push(worker);
    return worker;
  }

  /** A worker's whole environment, as production gives it. */
  /** The webhook app in this process over the stack's database and Temporal (for a test that kills and starts workers); close it after. */
  webhookApp(): ReturnType<typeof buildApp> {
    return buildApp({
      db: this.db,
      fulfillments: createFulfillmentStarter(this.temporalClient, this.taskQueue),
      webhookSecrets: [this.webhookSecret],
    });
  }

  workerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return workerEnv(this.parts(), { ...this.options.env, ...extra });
  }

  /** Lines of all workers' logs so far that report a Prisma transaction timeout. */
  transactionTimeouts(): number {
    return this.workers.reduce((n, w) => n + w.count(TRANSACTION_TIMEOUT), 0);
  }

  /** Stops the Temporal dev server, keeps it down `downMs`, starts it again on the same port and database file. */
  async restartTemporal(downMs: number): Promise<void> {
    if (!this.temporal) throw new Error('restartTemporal: this stack was given its Temporal server, it does not own one');
    await this.temporal.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startTemporal();
  }

  /** Stops PostgreSQL (fast shutdown: sessions are cut), keeps it down `downMs`, starts it on the same data and port. */
  async restartPostgres(downMs: number): Promise<void> {
    if (!this.postgres) throw new Error('restartPostgres: this stack was given its database, it does not own a PostgreSQL');
    await this.postgres.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startPostgres();
  }

  /** Stops the APIs, then the workers (SIGKILL by default; SIGTERM lets them drain and write profiles), then what it owns. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    await Promise.allSettled(this.apis.map((p) => p.stop(signal)));
    await Promise.allSettled(this.workers.map((p) => p.stop(signal)));
    const postmark = this.options.postmark ? undefined : this.postmark;
    await Promise.allSettled([this.temporalClient?.connection.close(), this.db?.$disconnect(), postmark?.close()]);
    await Promise.allSettled([this.temporal?.stop(), this.postgres?.stop(), this.toxiproxy?.stop()]);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** What the APIs and workers are pointed at: each dependency, or the proxy in front of it. */
  private parts(): ServiceParts {
    const { postgres, temporal, stripe, postmark } = this.proxied;
    const { stripeApiBase } = this.options;
    return {
      databaseUrl: postgres ? withHost(this.databaseUrl, postgres) : this.databaseUrl,
      temporalAddress: temporal ?? this.temporalAddress,
      taskQueue: this.options.taskQueue,
      postmarkUrl: postmark && this.postmark ? withHost(this.postmark.url, postmark) : this.postmark?.url,
      stripeApiBase: stripe && stripeApiBase ? withHost(stripeApiBase, stripe) : stripeApiBase,
      webhookSecret: this.webhookSecret,
    };
  }

  /** Toxiproxy and a proxy per dependency (Stripe's only when the stack has one: Sumo purchases never call it). */
  private async startProxies(): Promise<void> {
    this.toxiproxy = await startToxiproxy();
    const upstreams: Record<Dependency, string | undefined> = {
      postgres: new URL(this.databaseUrl).host,
      temporal: this.temporalAddress,
      stripe: this.options.stripeApiBase && new URL(this.options.stripeApiBase).host,
      postmark: new URL(this.postmark.url).host,
    };
    for (const [name, upstream] of Object.entries(upstreams) as [Dependency, string | undefined][]) {
      if (upstream) this.proxied[name] = await this.toxiproxy.createProxy(name, upstream);
    }
  }

  private processOptions(tweaks: ProcessTweaks) {
    const { build, cwd, countLines = [], keepChars = 20_000 } = this.options;
    return { build, cwd, keepChars, countLines: [TRANSACTION_TIMEOUT, ...countLines], nodeArgs: tweaks.nodeArgs, nice: tweaks.nice };
  }

  /** Whether the process `pid` polls the task queue for activities (the SDK's identity is `pid@host`). */
  private async polls(taskQueue: string, pid: number): Promise<boolean> {
    const { pollers } = await this.temporalClient.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
  }

  private async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({ dataDir: join(this.dir!, 'postgres'), port: this.ports.postgres });
  }

  // Through the SDK's launcher (createLocal): restarting is stop, then start on the same port and file.
  private async startTemporal(): Promise<void> {
    const dbFile = join(this.dir!, 'temporal', 'temporal.db');
    const dynamicConfig = this.options.temporalDynamicConfig;
    this.temporal = await startTemporalDevServer({
      port: this.ports.temporal,
      uiPort: null,
      dbFile,
      dynamicConfig,
      metricsPort: this.options.temporalMetricsPort,
    });
  }
}

/** `url` with its host and port replaced by `hostPort`. */
function withHost(url: string, hostPort: string): string {
  const u = new URL(url);
  u.host = hostPort;
  return u.toString();
}

/**
 * A process stack of this test file's own — the shared test PostgreSQL and stripe-mock, a Temporal
 * dev server of its own, no API or worker until a test starts them — started before the file's
 * tests and stopped after them.
 */
export function useOwnProcessStack(name: string): ProcessStack {
  const stack = new ProcessStack({
    postgres: { url: testEnv.databaseUrl },
    temporal: 'owned',
    taskQueue: `${name}-${randomUUID()}`,
    webhookSecret: `whsec_test_${name}`,
    stripeApiBase: testEnv.stripeApiBase,
    apis: 0,
    workers: 0,
  });
  beforeAll(() => stack.start(), 60_000);
  afterAll(() => stack.stop());
  return stack;
}
