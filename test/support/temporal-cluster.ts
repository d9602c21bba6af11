import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ensureTool, TEMPORAL_CLI, TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, temporalSchemaDir } from '../../devstack/tools';
import { fromRoot } from './paths';
import { recreateDatabase } from './recreate-database';
import { reservedPort } from './reserved-port';

const run = promisify(execFile);

/** The configuration docker-compose.yml runs too (test/unit/temporal-cluster-config.test.ts checks they agree). */
export const CLUSTER_CONFIG_DIR = fromRoot('deploy/temporal');
export const SHIPPED_DYNAMIC_CONFIG = fromRoot('deploy/temporal/dynamicconfig/production.yaml');

export interface TemporalClusterOptions {
  /** The service's test database (…_test): the cluster's two databases are named after it, on the same server. */
  databaseUrl: string;
  /** Dynamic-config keys set on top of the shipped file, for a test that needs them (e.g. a low rate limit). */
  dynamicConfig?: Record<string, unknown>;
  namespace?: string;
}

const PORTS = [
  'FRONTEND',
  'FRONTEND_HTTP',
  'FRONTEND_MEMBERSHIP',
  'HISTORY',
  'HISTORY_MEMBERSHIP',
  'MATCHING',
  'MATCHING_MEMBERSHIP',
  'WORKER',
  'WORKER_MEMBERSHIP',
  'METRICS',
] as const;

/**
 * A Temporal server (v1.29.1, built into .tools/bin on first use) with persistence and visibility
 * on PostgreSQL — the production shape, not the CLI's dev server — set up the way
 * docker-compose.yml sets it up: deploy/temporal/setup-schema.sh, the server on
 * deploy/temporal/config/production.yaml, then deploy/temporal/setup-namespace.sh (namespace and
 * search attributes). Its databases start empty. `restart()` stops the server and starts it again
 * on the same databases and ports, as an operator's restart would.
 */
export class TemporalCluster {
  readonly namespace: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private logTail = '';
  private env: Record<string, string> = {};
  private dir = '';
  private bin = { server: '', cli: '' };

  private constructor(private readonly options: TemporalClusterOptions) {
    this.namespace = options.namespace ?? 'default';
  }

  static async start(options: TemporalClusterOptions): Promise<TemporalCluster> {
    const cluster = new TemporalCluster(options);
    await cluster.setUp();
    return cluster;
  }

  get address(): string {
    return `127.0.0.1:${this.env.TEMPORAL_FRONTEND_PORT}`;
  }

  /** The server's Prometheus endpoint (schedule-to-start latency, persistence errors, …). */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.env.TEMPORAL_METRICS_PORT}/metrics`;
  }

  /** The server process (the bench reads its CPU). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Its two databases (persistence, visibility), whose PostgreSQL backends are the server's work too. */
  get databases(): string[] {
    return [this.env.TEMPORAL_DB, this.env.TEMPORAL_VISIBILITY_DB].filter(Boolean);
  }

  /** The server's last log lines, for a failure message. */
  get log(): string {
    return this.logTail;
  }

  /** The `temporal` CLI, pointed at this cluster. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(this.bin.cli, [...args, '--address', this.address, '--namespace', this.namespace], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  private async setUp(): Promise<void> {
    const [server, sqlTool, cli, schemaDir] = await Promise.all([
      ensureTool(TEMPORAL_SERVER),
      ensureTool(TEMPORAL_SQL_TOOL),
      ensureTool(TEMPORAL_CLI),
      temporalSchemaDir(),
    ]);
    this.bin = { server, cli };
    const url = new URL(this.options.databaseUrl);
    const base = decodeURIComponent(url.pathname.slice(1)).replace(/_test$/, '');
    const databases = { TEMPORAL_DB: `${base}_temporal_test`, TEMPORAL_VISIBILITY_DB: `${base}_temporal_visibility_test` };
    for (const name of Object.values(databases)) {
      const target = new URL(url);
      target.pathname = `/${name}`;
      await recreateDatabase(target.toString(), '_test');
    }
    this.dir = await mkdtemp(join(tmpdir(), 'temporal-cluster-'));
    const dynamicConfig = join(this.dir, 'dynamicconfig.yaml');
    await this.writeDynamicConfig(dynamicConfig, this.options.dynamicConfig ?? {});
    const ports: Record<string, string> = {};
    for (const name of PORTS) ports[`TEMPORAL_${name}_PORT`] = String(await reservedPort());
    this.env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      POSTGRES_HOST: url.hostname,
      POSTGRES_PORT: url.port || '5432',
      POSTGRES_USER: decodeURIComponent(url.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(url.password),
      ...databases,
      TEMPORAL_DYNAMIC_CONFIG: dynamicConfig,
      TEMPORAL_BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      ...ports,
    };
    await run('sh', [join(CLUSTER_CONFIG_DIR, 'setup-schema.sh')], {
      env: { ...this.env, SQL_TOOL: sqlTool, SCHEMA_DIR: schemaDir },
      maxBuffer: 64 * 1024 * 1024,
    });
    await this.startServer();
    await run('sh', [join(CLUSTER_CONFIG_DIR, 'setup-namespace.sh')], {
      env: { ...this.env, TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: this.address, TEMPORAL_NAMESPACE: this.namespace },
      maxBuffer: 16 * 1024 * 1024,
    });
  }

  /** The shipped dynamic config plus `overrides` (keys the shipped file sets are replaced). */
  private async writeDynamicConfig(path: string, overrides: Record<string, unknown>): Promise<void> {
    const shipped = parse(await readFile(SHIPPED_DYNAMIC_CONFIG, 'utf8')) as Record<string, unknown>;
    const ours = Object.fromEntries(Object.entries(overrides).map(([key, value]) => [key, [{ value }]]));
    await writeFile(path, stringify({ ...shipped, ...ours }));
  }

  /**
   * Changes dynamic config while the server runs (on top of the shipped file; `{}` restores it)
   * and waits past the server's poll interval (10 s in deploy/temporal/config/production.yaml).
   */
  async setDynamicConfig(overrides: Record<string, unknown>): Promise<void> {
    await this.writeDynamicConfig(this.env.TEMPORAL_DYNAMIC_CONFIG, overrides);
    await new Promise((resolve) => setTimeout(resolve, 12_000));
  }

  private async startServer(): Promise<void> {
    const child = spawn(
      this.bin.server,
      ['--root', CLUSTER_CONFIG_DIR, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
      {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => (this.logTail = (this.logTail + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the Temporal server exited at start:\n${this.logTail}`);
      const healthy = await run(this.bin.cli, ['operator', 'cluster', 'health', '--address', this.address]).then(
        ({ stdout }) => stdout.includes('SERVING'),
        () => false,
      );
      if (healthy) return;
      if (Date.now() > deadline) throw new Error(`the Temporal server did not become healthy in 120 s:\n${this.logTail}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Stops the server (SIGTERM, as an orchestrator does; SIGKILL after 30 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Stops the server and starts it again on the same databases and ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startServer();
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
