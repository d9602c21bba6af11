import { resolve } from 'node:path';
import { ROOT } from '../paths';
import { spawnNode, type NodeProcess } from './spawn-node';

/** What the API and the worker are pointed at. */
export interface ServiceParts {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue?: string;
  /** The worker's Postmark (the local stand-in's URL). */
  postmarkUrl?: string;
  /** The worker's Stripe API (stripe-mock); default: nothing listens (Sumo purchases never call Stripe). */
  stripeApiBase?: string;
  /** The API's signing secret. */
  webhookSecret?: string;
}

export interface ServiceProcessOptions {
  /** Added to (and overriding) the environment built from the parts. */
  env?: Record<string, string>;
  /** `source` runs src/*.ts through tsx (the tests); `dist` the compiled build (the bench, as production). */
  build?: 'source' | 'dist';
  /** The checkout to run (default: this one). */
  cwd?: string;
  nodeArgs?: string[];
  /** Default: its log line (`webhook API ready`, `worker polling`). */
  ready?: RegExp | ((pid: number) => Promise<boolean>);
  countLines?: RegExp[];
  keepChars?: number;
  nice?: number;
}

/** The environment every process of the service gets: PATH and HOME, nothing else of ours. */
const base = (parts: ServiceParts) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  DATABASE_URL: parts.databaseUrl,
  TEMPORAL_ADDRESS: parts.temporalAddress,
  ...(parts.taskQueue && { TEMPORAL_TASK_QUEUE: parts.taskQueue }),
  LOG_LEVEL: 'info',
});

/** The worker's whole environment, as production gives it (metrics and reconciliation off). */
export function workerEnv(parts: ServiceParts, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...base(parts),
    STRIPE_SECRET_KEY: 'sk_test_local',
    STRIPE_API_BASE: parts.stripeApiBase ?? 'http://127.0.0.1:9',
    POSTMARK_SERVER_TOKEN: 'local-postmark-token',
    POSTMARK_API_URL: parts.postmarkUrl ?? 'http://127.0.0.1:9',
    POSTMARK_FROM: 'hello@saas.example',
    // The stand-in's search finds what it accepted at once.
    POSTMARK_SEARCH_LAG: '1s',
    WORKER_METRICS_ADDRESS: 'off',
    RECONCILE_EVERY: 'off',
    ...extra,
  };
}

/** The API's whole environment on loopback `port` (metrics off). */
export function apiEnv(parts: ServiceParts, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...base(parts),
    PORT: String(port),
    HOST: '127.0.0.1',
    METRICS_PORT: 'off',
    STRIPE_WEBHOOK_SECRET: parts.webhookSecret ?? 'whsec_test_local',
    STRIPE_MODE: 'test',
    ...extra,
  };
}

const ENTRIES = {
  api: { source: 'src/server.ts', dist: 'dist/src/server.js', ready: /webhook API ready/ },
  worker: { source: 'src/worker.ts', dist: 'dist/src/worker.js', ready: /worker polling/ },
};

/**
 * One of the service's two production entry points as a process of its own, with `env` as
 * its whole environment; resolves once it is ready (see spawnNode).
 */
export function startServiceProcess(
  entry: 'api' | 'worker',
  env: NodeJS.ProcessEnv,
  options: Omit<ServiceProcessOptions, 'env'> = {},
): Promise<NodeProcess> {
  const cwd = options.cwd ?? ROOT;
  const { source, dist, ready } = ENTRIES[entry];
  const script = options.build === 'dist' ? [resolve(cwd, dist)] : ['--import', 'tsx', source];
  return spawnNode({
    label: entry,
    args: [...(options.nodeArgs ?? []), ...script],
    env,
    cwd,
    ready: options.ready ?? ready,
    countLines: options.countLines,
    keepChars: options.keepChars,
    nice: options.nice,
  });
}

/** The worker process over these parts. */
export const startWorkerProcess = (parts: ServiceParts, options: ServiceProcessOptions = {}) =>
  startServiceProcess('worker', workerEnv(parts, options.env), options);

/** The API process over these parts on `port`. */
export const startApiProcess = (parts: ServiceParts, port: number, options: ServiceProcessOptions = {}) =>
  startServiceProcess('api', apiEnv(parts, port, options.env), options);
