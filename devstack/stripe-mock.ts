import { spawn } from 'node:child_process';
import { freePort } from './free-port';
import { findTool, STRIPE_MOCK } from './tools';
import { stopProcess } from './temporal-dev-server';

export interface StripeMock {
  url: string;
  stop: () => Promise<void>;
}

/** Stripe's API mock (stripe-mock) on a free loopback port: the real API's shapes, offline. */
export async function startStripeMock(): Promise<StripeMock> {
  const binary = findTool(STRIPE_MOCK);
  if (!binary) throw new Error('stripe-mock not found (STRIPE_MOCK_PATH, PATH, .tools/bin): run `npm run tools`');
  const port = await freePort();
  // Left alone, stripe-mock also serves HTTPS on [::]:12112, or on $PORT when set (the API's
  // port): pin HTTPS to a random loopback port and keep PORT out of its environment.
  const { PORT: _apiPort, ...env } = process.env;
  const args = ['-http-addr', `127.0.0.1:${port}`, '-https-addr', '127.0.0.1:0'];
  const child = spawn(binary, args, { stdio: 'ignore', env });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stripe-mock exited with code ${child.exitCode}`);
    try {
      await fetch(`${url}/v1/balance`, { headers: { authorization: 'Bearer sk_test_123' } });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`stripe-mock did not answer on ${url}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => stopProcess(child) };
}

/** stripe-mock when its binary is around, else null (for `npm run dev`). */
export async function startStripeMockIfAvailable(): Promise<StripeMock | null> {
  return findTool(STRIPE_MOCK) ? startStripeMock() : null;
}
