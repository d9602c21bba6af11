import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../src/contracts';
import { freePort } from './free-port';
import { ensureTool, TEMPORAL_CLI } from './tools';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  stop: () => Promise<void>;
}

export interface DevServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Web UI port; null runs headless; default: a free port. */
  uiPort?: number | null;
  /** SQLite file to keep history across restarts; default in memory. */
  dbFile?: string;
  /** The Web UI decodes payloads through this codec server (`…/codec`; the UI posts to /decode under it). */
  uiCodecEndpoint?: string;
  /** Dynamic config on top of DEV_DYNAMIC_CONFIG (a key given here replaces its value there). */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Port of the server's Prometheus /metrics (the bench counts activity heartbeats there); default: none asked for. */
  metricsPort?: number;
  log?: (msg: string) => void;
}

/**
 * The dev server's dynamic config: what production sets in its own dynamic config and the
 * service relies on. `matching.useNewMatcher`: the priority matcher (Temporal 1.29 leaves it
 * off), so our own customers' runs go ahead of a Sumo launch's backlog (src/temporal/task-priority.ts).
 */
export const DEV_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = { 'matching.useNewMatcher': true };

/**
 * A real Temporal server on SQLite (`temporal server start-dev`, the CLI found or built by
 * `npm run tools`) with the project's search attributes registered, started by the SDK's own
 * launcher, `@temporalio/testing`'s `TestWorkflowEnvironment.createLocal` with the binary as
 * an existing path: it picks the ports, waits until the server serves, and stops it (SIGINT).
 * Everything the tests, the fault suite, the bench and `npm run dev` need goes through its
 * options (`dbFilename`, `uiPort`, `searchAttributes`) or `extraArgs` (the UI's codec endpoint,
 * the dynamic config);
 * restarting on the same port and database file is stop, then start with both given.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<TemporalDevServer> {
  const binary = await ensureTool(TEMPORAL_CLI, options.log);
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true }); // the CLI does not create its folder
  const ui = options.uiPort !== null;
  // Without a UI port the SDK gives the UI the server's port + 1000, which may be taken.
  const uiPort = ui ? (options.uiPort ?? (await freePort())) : undefined;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary },
      ip: '127.0.0.1',
      port: options.port,
      ui,
      uiPort,
      dbFilename: options.dbFile,
      // The SDK lets the server write to our stdout and stderr: silent, as before (its errors
      // under load, "context canceled", would otherwise fill the tests' and dev's output).
      log: { format: 'text', level: 'never' },
      searchAttributes: Object.values(searchAttributes),
      extraArgs: [
        ...(ui && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
        ...Object.entries({ ...DEV_DYNAMIC_CONFIG, ...options.dynamicConfig }).flatMap(([key, value]) => [
          '--dynamic-config-value',
          `${key}=${JSON.stringify(value)}`,
        ]),
        ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
      ],
    },
  });
  let stopped: Promise<void> | undefined;
  return {
    address: env.address,
    uiUrl: uiPort === undefined ? null : `http://127.0.0.1:${uiPort}`,
    stop: () => (stopped ??= env.teardown()),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
