import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { freePort } from '../../../devstack/free-port';
import { checkoutEvent, signPayload, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { ROOT } from '../../support/paths';
import { testEnv } from '../../support/test-env';

/**
 * A deploy sends the API SIGTERM while Stripe's deliveries are in flight. It must stop taking
 * new connections, answer the requests it holds (a 200 Stripe will not send again), and exit 0.
 * The API runs as its own process (src/server.ts); a delivery whose body is still arriving
 * when the signal comes is the request it holds.
 */
const SECRET = 'whsec_test_api_shutdown';
let api: ChildProcess | undefined;
afterAll(() => {
  if (api?.exitCode === null) api.kill('SIGKILL');
});

async function startApi(port: number): Promise<{ child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  const env = {
    DATABASE_URL: testEnv.databaseUrl,
    TEMPORAL_ADDRESS: testEnv.temporalAddress,
    TEMPORAL_TASK_QUEUE: `api-shutdown-${randomUUID()}`,
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_MODE: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    METRICS_PORT: 'off',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  api = child;
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await eventually(
    async () => text,
    (t) => /webhook API ready/.test(t) || child.exitCode !== null,
    { timeoutMs: 60_000 },
  );
  if (!/webhook API ready/.test(ready)) throw new Error(`API did not start:\n${text}`);
  return { child, exited, output: () => text };
}

describe('the API on SIGTERM', () => {
  it('answers the delivery it holds with a 200, refuses new connections, and exits 0', async () => {
    const port = await freePort();
    const { child, exited, output } = await startApi(port);
    const event = checkoutEvent({ metadata: sumoMetadata() });
    const body = JSON.stringify(event);

    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'stripe-signature': signPayload(body, SECRET),
      },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 100));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await eventually(
      async () => output(),
      (t) => /shutting down/.test(t),
    );

    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    req.end(body.slice(100));
    const answer = await answered;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ received: true, workflowId: event.id });
    expect(await exited).toBe(0);
  }, 90_000);
});
