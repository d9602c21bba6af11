import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../src/dev/free-port';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { healthy, polling, startNode, type BenchProcess } from './bench-process';
import { findProcesses, postgresBackends } from './proc-stats';

export interface Stack {
  name: string;
  url: string;
  /** Whether a POST is a fulfillment (a welcome email and a completed ledger row follow). */
  fulfils: boolean;
  processes: BenchProcess[];
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
  /** The payload codec's keys, as production sets them (PAYLOAD_KEYS); empty: payloads go unencrypted. */
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
  const common = {
    ...dockerfileEnv(dir),
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...(env.payloadKeys && { PAYLOAD_KEYS: env.payloadKeys }),
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
