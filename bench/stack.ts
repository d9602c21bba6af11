import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort } from '../src/dev/free-port';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { startApiProcess, startWorkerProcess, type ServiceProcessOptions } from '../test/support/stack/service-processes';
import { spawnNode, type NodeProcess } from '../test/support/stack/spawn-node';
import { probed, register } from './probe';
import { findProcesses, postgresBackends } from './proc-stats';

/** A line of `--trace-gc` output. */
export const GC_LINE = /\b(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)\b/;

export interface Stack {
  name: string;
  url: string;
  /** Whether a POST is a fulfillment (a welcome email and a completed ledger row follow). */
  fulfils: boolean;
  processes: NodeProcess[];
  /** Process groups whose CPU is counted, read anew at each snapshot (backends come and go). */
  groups: () => { label: string; pids: number[] }[];
  /** The service's Temporal server: where its histories and its metrics (heartbeats) are read. */
  temporal?: { address: string; metricsUrl: string };
  stop: () => Promise<void>;
}

export interface StackEnv {
  databaseUrl: string;
  postmarkUrl: string;
  secret: string;
  /** Extra node flags for the worker (--cpu-prof, --trace-gc). */
  workerNodeArgs?: string[];
  /** A checkout whose `npm run build` output runs as the service (default: this one). */
  serviceDir?: string;
  /** Extra node flags for the API. */
  apiNodeArgs?: string[];
  /** The payload codec's keys, as production sets them (PAYLOAD_KEYS); none: payloads go unencrypted. */
  payloadKeys?: string;
  /** Environment added to the worker's and the API's (e.g. a setting under test). */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
}

/** The checkout's Dockerfile `ENV NAME=value` lines: production's process environment (NODE_ENV, MALLOC_ARENA_MAX). */
function dockerfileEnv(dir: string): Record<string, string> {
  const text = existsSync(resolve(dir, 'Dockerfile')) ? readFileSync(resolve(dir, 'Dockerfile'), 'utf8') : '';
  return Object.fromEntries([...text.matchAll(/^ENV\s+([A-Z_][A-Z0-9_]*)=(\S+)\s*$/gm)].map((m) => [m[1], m[2]]));
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** The service as production runs it: the compiled API and worker processes, a Temporal dev server, PostgreSQL. */
export async function startServiceStack(name: string, env: StackEnv): Promise<Stack> {
  const dir = env.serviceDir ?? process.cwd();
  const metricsPort = await freePort();
  const devServer = await startTemporalDevServer({ uiPort: null, metricsPort });
  const temporalPort = devServer.address.split(':')[1];
  const connection = await Connection.connect({ address: devServer.address });
  const [temporalPid] = findProcesses(['start-dev', temporalPort]);
  const apiPort = await freePort();
  const parts = { databaseUrl: env.databaseUrl, temporalAddress: devServer.address, taskQueue: 'bench', webhookSecret: env.secret };
  const common: ServiceProcessOptions = { build: 'dist', cwd: dir, keepChars: 4_000 };
  const production = {
    ...dockerfileEnv(dir),
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...(env.payloadKeys && { PAYLOAD_KEYS: env.payloadKeys }),
  };
  const workerProbe = probed('worker');
  const apiProbe = probed('api');
  // Ready by probe, not by log line: a stack may run at LOG_LEVEL=warn.
  const worker = await startWorkerProcess(
    { ...parts, postmarkUrl: env.postmarkUrl },
    {
      ...common,
      env: { ...production, ...workerProbe.env, ...env.workerEnv },
      nodeArgs: [...workerProbe.nodeArgs, ...(env.workerNodeArgs ?? [])],
      // BENCH_NICE: the worker's niceness.
      nice: env.workerEnv?.BENCH_NICE === undefined ? undefined : Number(env.workerEnv.BENCH_NICE),
      ready: polling(connection, 'bench'),
      countLines: [GC_LINE],
    },
  );
  await connection.close();
  const api = await startApiProcess(parts, apiPort, {
    ...common,
    env: { ...production, ...apiProbe.env, ...env.apiEnv },
    nodeArgs: [...apiProbe.nodeArgs, ...(env.apiNodeArgs ?? [])],
    ready: healthy(apiPort),
  });
  register(worker, workerProbe.file);
  register(api, apiProbe.file);
  const database = databaseName(env.databaseUrl);
  return {
    name,
    url: `http://127.0.0.1:${apiPort}/webhooks/stripe`,
    fulfils: true,
    processes: [api, worker],
    temporal: { address: devServer.address, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` },
    groups: () => [
      { label: 'api', pids: [api.pid] },
      { label: 'worker', pids: [worker.pid] },
      { label: 'temporal server', pids: temporalPid ? [temporalPid] : [] },
      { label: 'postgres', pids: postgresBackends(database) },
    ],
    async stop() {
      await api.stop();
      await worker.stop();
      await devServer.stop();
    },
  };
}

/** The inline handler (`inline`) or the verify-and-200 ceiling (`verify`), bench/inline-server.ts. */
export async function startBaselineStack(mode: 'inline' | 'verify', env: StackEnv): Promise<Stack> {
  const port = await freePort();
  const serverProbe = probed(mode);
  const server = await spawnNode({
    label: mode,
    args: [...serverProbe.nodeArgs, '--import', 'tsx', resolve(__dirname, 'inline-server.ts')],
    env: {
      PATH: process.env.PATH ?? '',
      ...serverProbe.env,
      INLINE_MODE: mode,
      DATABASE_URL: env.databaseUrl,
      POSTMARK_API_URL: env.postmarkUrl,
      STRIPE_WEBHOOK_SECRET: env.secret,
      PORT: String(port),
    },
    ready: /inline ready/,
    keepChars: 4_000,
  });
  register(server, serverProbe.file);
  const database = databaseName(env.databaseUrl);
  return {
    name: mode === 'inline' ? 'inline handler' : 'verify-only',
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    fulfils: mode === 'inline',
    processes: [server],
    groups: () => [
      { label: mode, pids: [server.pid] },
      { label: 'postgres', pids: mode === 'inline' ? postgresBackends(database) : [] },
    ],
    stop: async () => void (await server.stop()),
  };
}

/** The worker polls the task queue (whatever its log level says). */
const polling = (connection: Connection, taskQueue: string) => async () => {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (pollers?.length ?? 0) > 0;
};

/** The API answers GET /healthz. */
const healthy = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
