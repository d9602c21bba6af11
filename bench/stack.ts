import { parse } from 'yaml';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../devstack/free-port';
import type { LocalPostmark } from '../devstack/local-postmark';
import { ProcessStack } from '../test/support/stack/process-stack';
import { TemporalCluster } from '../test/support/temporal-cluster';
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
  temporal?: { address: string; metricsUrl: string; workerMetricsUrl?: string };
  stop: () => Promise<void>;
}

export interface StackEnv {
  databaseUrl: string;
  /** The bench's Postmark stand-in, shared by every stack. */
  postmark: LocalPostmark;
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
  /** The Temporal server: the CLI's dev server (SQLite in memory; the default), or the production-shaped
   *  server on PostgreSQL that the cluster suite runs (test/support/temporal-cluster.ts). */
  temporalServer?: 'dev' | 'cluster';
  /** The API process alone, with the worker's environment added: a checkout whose API hosts the worker (one process). */
  allInOne?: boolean;
  /** Workers started beside the first (same environment, no probe): their CPU counts in the worker group. */
  extraWorkers?: number;
  /** Dynamic config values for the dev server (e.g. `system.enableActivityEagerExecution`). */
  temporalDynamicConfig?: Record<string, string | number | boolean>;
  /** CPU weights (cgroup v1 `cpu.shares`, what compose's `cpu_shares` sets) for the API and the worker; the rest stays at 1024. */
  cpuShares?: { api: number; worker: number };
}

const CPU_CGROUP = '/sys/fs/cgroup/cpu';

/** Moves a process (all its threads) into a cgroup of its own with that CPU weight; returns its removal. */
function weigh(name: string, pid: number, shares: number): () => void {
  const dir = `${CPU_CGROUP}/${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/cpu.shares`, String(shares));
  writeFileSync(`${dir}/cgroup.procs`, String(pid));
  return () => {
    try {
      rmdirSync(dir);
    } catch {
      // a process still in it: left for the next run's mkdir
    }
  };
}

/** The checkout's Dockerfile `ENV NAME=value` lines: production's process environment (NODE_ENV, MALLOC_ARENA_MAX). */
function dockerfileEnv(dir: string): Record<string, string> {
  const text = existsSync(resolve(dir, 'Dockerfile')) ? readFileSync(resolve(dir, 'Dockerfile'), 'utf8') : '';
  return Object.fromEntries([...text.matchAll(/^ENV\s+([A-Z_][A-Z0-9_]*)=(\S+)\s*$/gm)].map((m) => [m[1], m[2]]));
}

/** The node flags of the checkout's Dockerfile `CMD ["node", …flags, "dist/src/server.js"]`: the API's, as production runs it. */
function dockerfileApiNodeArgs(dir: string): string[] {
  const text = existsSync(resolve(dir, 'Dockerfile')) ? readFileSync(resolve(dir, 'Dockerfile'), 'utf8') : '';
  const cmd = /^CMD (\[.*\])\s*$/m.exec(text)?.[1];
  const args = cmd ? (JSON.parse(cmd) as string[]) : [];
  return args[0] === 'node' ? args.slice(1, -1).filter((arg) => arg.startsWith('--')) : [];
}

/** The node flags of the checkout's compose worker command (`node …flags dist/src/worker.js`): the worker's, as production runs it. */
function composeWorkerNodeArgs(dir: string): string[] {
  const file = resolve(dir, 'docker-compose.yml');
  if (!existsSync(file)) return [];
  const command = (parse(readFileSync(file, 'utf8')) as { services?: { worker?: { command?: unknown } } }).services?.worker?.command;
  return Array.isArray(command) && command[0] === 'node'
    ? command.slice(1, -1).filter((arg): arg is string => String(arg).startsWith('--'))
    : [];
}

/** The cluster names its databases after a `…_test` one: `<bench database>_temporal_test` and `…_temporal_visibility_test`. */
function clusterNaming(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname}_test`;
  return url.toString();
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** The service as production runs it: the compiled API and worker processes, a Temporal dev server, PostgreSQL. */
export async function startServiceStack(name: string, env: StackEnv): Promise<Stack> {
  const metricsPort = await freePort();
  const workerMetricsPort = await freePort();
  const cluster =
    env.temporalServer === 'cluster' ? await TemporalCluster.start({ databaseUrl: clusterNaming(env.databaseUrl) }) : undefined;
  const stack = new ProcessStack({
    postgres: { url: env.databaseUrl },
    temporal: cluster ? { address: cluster.address } : 'owned',
    temporalMetricsPort: metricsPort,
    ...(env.temporalDynamicConfig && { temporalDynamicConfig: env.temporalDynamicConfig }),
    postmark: env.postmark,
    build: 'dist',
    cwd: env.serviceDir,
    taskQueue: 'bench',
    webhookSecret: env.secret,
    env: {
      ...dockerfileEnv(env.serviceDir ?? process.cwd()),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...(env.payloadKeys && { PAYLOAD_KEYS: env.payloadKeys }),
    },
    apis: 0,
    workers: 0,
    // Ready by probe, not by log line: a stack may run at LOG_LEVEL=warn.
    readyBy: 'probe',
    countLines: [GC_LINE],
    keepChars: 4_000,
  });
  await stack.start();
  try {
    const [temporalPid] = cluster ? [cluster.pid] : findProcesses(['start-dev', stack.temporalAddress.split(':')[1]]);
    // BENCH_NICE: the worker's niceness.
    const nice = env.workerEnv?.BENCH_NICE === undefined ? undefined : Number(env.workerEnv.BENCH_NICE);
    const workerProbe = probed('worker');
    const apiProbe = probed('api');
    // The worker's node flags as production runs it (compose), and the bench's own.
    const workerNodeArgs = [...composeWorkerNodeArgs(env.serviceDir ?? process.cwd()), ...(env.workerNodeArgs ?? [])];
    const worker = env.allInOne
      ? undefined
      : await stack.startWorker(
          { ...workerProbe.env, WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`, ...env.workerEnv },
          {
            nodeArgs: [...workerProbe.nodeArgs, ...workerNodeArgs],
            nice,
          },
        );
    const extra: NodeProcess[] = [];
    for (let i = 0; i < (env.extraWorkers ?? 0); i++) {
      extra.push(
        await stack.startWorker(env.workerEnv, {
          nodeArgs: workerNodeArgs,
          nice,
        }),
      );
    }
    const apiNodeArgs = [...apiProbe.nodeArgs, ...dockerfileApiNodeArgs(env.serviceDir ?? process.cwd()), ...(env.apiNodeArgs ?? [])];
    const api = await stack.startApi(
      { ...(env.allInOne && stack.workerEnv(env.workerEnv)), ...apiProbe.env, ...env.apiEnv },
      { nodeArgs: apiNodeArgs },
    );
    if (worker) register(worker, workerProbe.file);
    register(api, apiProbe.file);
    const unweigh = env.cpuShares
      ? [
          weigh(`bench-api-${api.pid}`, api.pid, env.cpuShares.api),
          ...(worker ? [weigh(`bench-worker-${worker.pid}`, worker.pid, env.cpuShares.worker)] : []),
        ]
      : [];
    const database = databaseName(env.databaseUrl);
    return {
      name,
      url: `${stack.apiUrl}/webhooks/stripe`,
      fulfils: true,
      processes: worker ? [api, worker] : [api],
      temporal: {
        address: stack.temporalAddress,
        metricsUrl: cluster?.metricsUrl ?? `http://127.0.0.1:${metricsPort}/metrics`,
        workerMetricsUrl: worker ? `http://127.0.0.1:${workerMetricsPort}/metrics` : undefined,
      },
      groups: () => [
        { label: 'api', pids: [api.pid] },
        ...(worker ? [{ label: 'worker', pids: [worker.pid, ...extra.map((w) => w.pid)] }] : []),
        { label: 'temporal server', pids: temporalPid ? [temporalPid] : [] },
        // On PostgreSQL, the server's own queries are part of what a fulfillment costs.
        ...(cluster ? [{ label: 'temporal postgres', pids: cluster.databases.flatMap(postgresBackends) }] : []),
        { label: 'postgres', pids: postgresBackends(database) },
      ],
      // SIGTERM: the worker drains and writes its profile (--cpu-prof).
      stop: async () => {
        await stack.stop('SIGTERM');
        await cluster?.stop();
        for (const remove of unweigh) remove();
      },
    };
  } catch (err) {
    await stack.stop();
    await cluster?.stop();
    throw err;
  }
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
      POSTMARK_API_URL: env.postmark.url,
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
