import { spawn } from 'node:child_process';
import { freePort } from './free-port';
import { stopProcess } from './temporal-dev-server';
import { findTool, TOXIPROXY_SERVER } from './tools';

/** `downstream`: the dependency's answers (Toxiproxy's default); `upstream`: what is sent to it. */
export type Stream = 'upstream' | 'downstream';

/** The toxics the gray-failure suite uses, with Toxiproxy's own attribute names (milliseconds unless said). */
export type Toxic = { name?: string; stream?: Stream } & (
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Nothing gets through; with `timeout` 0 the connection is never closed: a black hole. */
  | { type: 'timeout'; attributes: { timeout: number } }
  /** KB/s. */
  | { type: 'bandwidth'; attributes: { rate: number } }
  /** Data cut into packets of about `average_size` bytes, `delay` microseconds apart. */
  | { type: 'slicer'; attributes: { average_size: number; size_variation?: number; delay?: number } }
  /** The connection reset (RST) once data flows, after `timeout`. */
  | { type: 'reset_peer'; attributes: { timeout: number } }
);

export interface Toxiproxy {
  /** Its HTTP API, e.g. `http://127.0.0.1:8474`. */
  apiUrl: string;
  /** A proxy on a free loopback port in front of `upstream` (`host:port`); resolves with its listen address. */
  createProxy(name: string, upstream: string): Promise<string>;
  /** Adds a toxic to every connection of the proxy, open or new; resolves with the toxic's name. */
  addToxic(proxy: string, toxic: Toxic): Promise<string>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  /** Every proxy enabled, every toxic removed. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Toxiproxy's server (Shopify; built by `npm run tools -- --cluster`, devstack/tools.ts) on a free
 * loopback port, and the calls of its HTTP API the fault suite makes. Spoken to with fetch rather
 * than the `toxiproxy-node-client` package: these are five JSON calls (create a proxy, add and
 * remove a toxic, reset, version), fewer lines than the client's wrapper types, and one dependency
 * less for a test tool.
 */
export async function startToxiproxy(): Promise<Toxiproxy> {
  const binary = findTool(TOXIPROXY_SERVER);
  if (!binary) throw new Error('toxiproxy-server not found (TOXIPROXY_SERVER_PATH, PATH, .tools/bin): run `npm run tools -- --cluster`');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  // It logs every connection it proxies: nothing a test reads.
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`toxiproxy-server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${apiUrl}/version`)).ok) break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`toxiproxy-server did not answer on ${apiUrl}: ${(err as Error).message}`);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const call = async <T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    apiUrl,
    async createProxy(name, upstream) {
      const proxy = await call<{ listen: string }>('POST', '/proxies', { name, upstream, listen: '127.0.0.1:0', enabled: true });
      return proxy.listen;
    },
    async addToxic(proxy, toxic) {
      const stream = toxic.stream ?? 'downstream';
      const added = await call<{ name: string }>('POST', `/proxies/${proxy}/toxics`, {
        ...toxic,
        name: toxic.name ?? `${toxic.type}_${stream}`,
        stream,
        toxicity: 1,
      });
      return added.name;
    },
    async removeToxic(proxy, toxic) {
      await call('DELETE', `/proxies/${proxy}/toxics/${toxic}`);
    },
    async reset() {
      await call('POST', '/reset');
    },
    stop: () => stopProcess(child),
  };
}
