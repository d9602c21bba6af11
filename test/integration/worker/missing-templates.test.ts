import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { startLocalPostmark, type LocalPostmark } from '../../../src/dev/local-postmark';
import { DEFAULT_TEMPLATE_ALIASES } from '../../../src/emails';
import { pushTemplates } from '../../../src/emails/postmark-templates';
import { stopProcess } from '../../../src/dev/temporal-dev-server';
import { startWorkerProcess } from '../../support/worker-process';
import { ROOT } from '../../support/paths';
import { testEnv } from '../../support/test-env';

let postmark: LocalPostmark;
const children: ChildProcess[] = [];

const workerEnv = (): NodeJS.ProcessEnv => ({
  DATABASE_URL: testEnv.databaseUrl,
  TEMPORAL_ADDRESS: testEnv.temporalAddress,
  TEMPORAL_TASK_QUEUE: `templates-${randomUUID()}`,
  STRIPE_SECRET_KEY: 'sk_test_templates',
  STRIPE_API_BASE: testEnv.stripeApiBase,
  POSTMARK_SERVER_TOKEN: 'local-postmark-token',
  POSTMARK_API_URL: postmark.url,
  POSTMARK_FROM: 'hello@saas.example',
  WORKER_METRICS_ADDRESS: 'off',
  RECONCILE_EVERY: 'off',
});

/** src/worker.ts as its own process until it exits: its exit code and everything it wrote. */
function runWorkerToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

beforeAll(async () => {
  postmark = await startLocalPostmark({ templates: 'none' });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) await stopProcess(child, 15_000);
  await postmark.close();
});

describe('the worker and the Postmark templates it sends', () => {
  it('refuses to start, naming the alias, while the Postmark server lacks a template; starts once they are pushed', async () => {
    const client = createPostmarkClient('local-postmark-token', postmark.url);
    await pushTemplates(client, DEFAULT_TEMPLATE_ALIASES);
    await client.deleteTemplate('purchase-confirmation');

    const refused = await runWorkerToExit(workerEnv());
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/Postmark template "purchase-confirmation" .* missing in the configured Postmark server/);
    expect(refused.output).toMatch(/npm run ops -- emails push/);
    expect(refused.output).not.toMatch(/worker polling/);

    await pushTemplates(client, DEFAULT_TEMPLATE_ALIASES);
    const worker = await startWorkerProcess(workerEnv(), children);
    expect(worker.output()).toMatch(/worker polling/);
    await stopProcess(worker.child, 15_000);
  }, 120_000);
});
