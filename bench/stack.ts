import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort } from '../src/dev/free-port';
import { startTemporalDevServer, stopProcess } from '../src/dev/temporal-dev-server';
import { findProcesses, postgresBackends } from './proc-stats';

/** A process of the stack under test, with what the bench counts from its output. */
export interface BenchProcess {
  label: string;
  child: ChildProcess;
  pid: number;
  /** Lines of `--trace-gc` output seen so far (when traced). */
  gcLines: () => number;
  stop: () => Promise<void>;
}

export interface Stack {
  name: string;
  url: string;
  /** Whether a POST is a fulfillment (a welcome email and a completed ledger row follow). */
  fulfils: boolean;
  processes: BenchProcess[];
  /** Process groups whose CPU is counted, read anew at each snapshot (backends come and go). */
  groups: () => { label: string; pids: number[] }[];
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
  /** Environment added to the worker's and the API's (e.g. a setting under test). */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** Starts `node <args>` and resolves once a line of its stdout contains `ready`, or once `ready()` resolves true. */
async function startNode(
  label: string,
  args: string[],
  env: Record<string, string>,
  ready: string | (() => Promise<boolean>),
  cwd = process.cwd(),
): Promise<BenchProcess> {
  // BENCH_NICE (the worker's niceness, via nice(1), which execs node under the same pid).
  const nice = label === 'worker' ? env.BENCH_NICE : undefined;
  const [command, argv] = nice ? ['nice', ['-n', nice, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let gc = 0;
  let tail = '';
  const seen = new Promise<void>((res, rej) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (typeof ready === 'string' && line.includes(ready)) res();
        if (/\b(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)\b/.test(line)) gc++;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => rej(new Error(`${label} exited with ${code} before it was ready:\n${tail}`)));
    if (typeof ready === 'function') void probe(ready, child).then(res, rej);
  });
  await seen;
  return { label, child, pid: child.pid!, gcLines: () => gc, stop: () => stopProcess(child, 20_000) };
}

async function probe(ready: () => Promise<boolean>, child: ChildProcess): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline && child.exitCode === null;) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('not ready within 2 minutes');
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

/** The service as production runs it: the compiled API and worker processes, a Temporal dev server, PostgreSQL. */
export async function startServiceStack(name: string, env: StackEnv): Promise<Stack> {
  const dir = env.serviceDir ?? process.cwd();
  const devServer = await startTemporalDevServer({ uiPort: null });
  const temporalPort = devServer.address.split(':')[1];
  const connection = await Connection.connect({ address: devServer.address });
  const [temporalPid] = findProcesses(['start-dev', temporalPort]);
  const apiPort = await freePort();
  const common = {
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  };
  const worker = await startNode(
    'worker',
    [...(env.workerNodeArgs ?? []), resolve(dir, 'dist/src/worker.js')],
    {
      ...common,
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_API_BASE: 'http://127.0.0.1:9', // Sumo purchases never call Stripe
      POSTMARK_SERVER_TOKEN: 'local-postmark-token',
      POSTMARK_API_URL: env.postmarkUrl,
      POSTMARK_FROM: 'hello@saas.example',
      RECONCILE_EVERY: 'off',
      WORKER_METRICS_ADDRESS: 'off',
      ...env.workerEnv,
    },
    polling(connection, 'bench'),
    dir,
  );
  await connection.close();
  const api = await startNode(
    'api',
    [...(env.apiNodeArgs ?? []), resolve(dir, 'dist/src/server.js')],
    {
      ...common,
      STRIPE_WEBHOOK_SECRET: env.secret,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      METRICS_PORT: 'off',
      STRIPE_MODE: 'test',
      ...env.apiEnv,
    },
    healthy(apiPort),
    dir,
  );
  const database = databaseName(env.databaseUrl);
  return {
    name,
    url: `http://127.0.0.1:${apiPort}/webhooks/stripe`,
    fulfils: true,
    processes: [api, worker],
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
  const server = await startNode(
    mode,
    ['--import', 'tsx', resolve(__dirname, 'inline-server.ts')],
    {
      INLINE_MODE: mode,
      DATABASE_URL: env.databaseUrl,
      POSTMARK_API_URL: env.postmarkUrl,
      STRIPE_WEBHOOK_SECRET: env.secret,
      PORT: String(port),
    },
    'inline ready',
  );
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
    stop: () => server.stop(),
  };
}
