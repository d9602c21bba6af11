import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeRegistrations } from '../contracts';
import { freePort } from './free-port';
import { ensureTool, TEMPORAL_CLI } from './tools';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  stop: () => Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  /** Web UI port; null runs headless. */
  uiPort?: number | null;
  /** SQLite file to keep history across restarts; default in memory. */
  dbFile?: string;
  /** The Web UI decodes payloads through this codec server (`…/codec`; the UI posts to /decode under it). */
  uiCodecEndpoint?: string;
  /** Port of the server's Prometheus /metrics (the bench counts activity heartbeats there); default: a random one. */
  metricsPort?: number;
  log?: (msg: string) => void;
}

/**
 * Runs `temporal server start-dev` (a real Temporal server on SQLite) with the project's
 * search attributes registered, and waits until it accepts connections.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<TemporalDevServer> {
  const binary = await ensureTool(TEMPORAL_CLI, options.log);
  if (options.dbFile) mkdirSync(dirname(options.dbFile), { recursive: true }); // the CLI does not create its folder
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort === undefined ? await freePort() : options.uiPort;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
    ...(uiPort !== null && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...searchAttributeRegistrations.flatMap((sa) => ['--search-attribute', sa]),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`Temporal dev server did not start on ${address}: ${(err as Error).message}\n${stderr}`);
  }
  return { address, uiUrl: uiPort === null ? null : `http://127.0.0.1:${uiPort}`, stop: () => stopProcess(child) };
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

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
