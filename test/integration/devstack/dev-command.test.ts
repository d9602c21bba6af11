import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT as root } from '../../support/paths';
import { reservedPort } from '../../support/reserved-port';

const tsx = require.resolve('tsx/cli');

/**
 * The README's first command: `npm run dev` brings the whole service up on embedded
 * defaults (embedded PostgreSQL, Temporal dev server, local Postmark), `npm run simulate`
 * gets a purchase fulfilled through it, and Ctrl-C stops everything. The terminal shows each
 * service line once, pretty, with no deprecation warning; the metrics ports nobody types are
 * picked free, so a second copy of the service (here: whatever holds the default metrics ports)
 * does not stop it from starting. The purchase reaches the stand-in product as access.updated
 * (granted), and the product's check answers with the dev token.
 */
describe('npm run dev + npm run simulate', () => {
  const devDir = mkdtempSync(join(tmpdir(), 'fulfillment-dev-'));
  chmodSync(devDir, 0o755); // run as root, embedded PostgreSQL runs as `postgres`, which must reach its data
  let dev: ChildProcess | undefined;
  // Like a terminal: dev runs in its own process group, and Ctrl-C signals the whole group.
  const signalGroup = (signal: NodeJS.Signals) => dev?.pid && dev.exitCode === null && process.kill(-dev.pid, signal);
  // Another copy of the service holds the API's and the worker's default metrics ports.
  const squatters: Array<Server | null> = [];
  beforeAll(async () => {
    for (const port of [9465, 9464]) squatters.push(await hold(port));
  });
  afterAll(async () => {
    signalGroup('SIGKILL');
    rmSync(devDir, { recursive: true, force: true });
    await Promise.all(squatters.map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
  });

  it('fulfils a simulated Sumo purchase end to end while the default metrics ports are taken, printing each line once, and stops cleanly on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEV_DIR: devDir,
      PORT: String(await reservedPort()),
      DEV_TEMPORAL_PORT: String(await reservedPort()),
      DEV_TEMPORAL_UI_PORT: String(await reservedPort()),
      DEV_POSTMARK_PORT: String(await reservedPort()),
      DEV_CODEC_PORT: String(await reservedPort()),
      DEV_PRODUCT_PORT: String(await reservedPort()),
      LOG_LEVEL: 'info',
    };
    for (const name of [
      'METRICS_PORT',
      'WORKER_METRICS_ADDRESS',
      'DEV_LOG_FORMAT',
      'DATABASE_URL',
      'STRIPE_WEBHOOK_SECRET',
      'POSTMARK_SERVER_TOKEN',
      'STRIPE_SECRET_KEY',
      'PAYLOAD_KEYS',
      'PAYLOAD_KEYS_FILE',
      'CODEC_AUTH_TOKEN',
      'APP_WEBHOOK_URL',
      'APP_WEBHOOK_SECRETS',
      'ACCESS_API_TOKENS',
    ])
      delete env[name];

    dev = spawn(process.execPath, ['--import', 'tsx', 'devstack/dev.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const output = collect(dev);
    await output.waitFor(/\[dev\] try: npm run simulate/, 90_000);
    expect(output.text()).toMatch(/starting embedded PostgreSQL/);
    expect(output.text()).toMatch(/secret\s+whsec_dev_[0-9a-f]{32}/);
    // Histories are encrypted with a local key kept in DEV_DIR; the UI decodes through the dev codec server.
    expect(output.text()).toContain(`codec        http://127.0.0.1:${env.DEV_CODEC_PORT}/codec`);
    expect(statSync(join(devDir, 'payload-keys')).mode & 0o777).toBe(0o600);
    // The metrics ports were picked free, and dev says where.
    const metricsUrls = /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics) \(API\), (http:\/\/127\.0\.0\.1:\d+\/metrics) \(worker\)/.exec(
      output.text(),
    );
    expect(metricsUrls).not.toBeNull();

    const simulate = spawn(process.execPath, [tsx, 'devstack/simulate.ts', 'sumo', '--email', 'dev.smoke@example.com'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const simulated = collect(simulate);
    const code = await new Promise<number | null>((r) => simulate.on('exit', r));
    expect(simulated.text()).toMatch(/→ 200 .*"duplicate":false/);
    expect(simulated.text()).toMatch(/fulfilled in \d+ ms[\s\S]*userCreated: true[\s\S]*welcomeEmailMessageId: '[0-9a-f-]{36}'/);
    expect(code).toBe(0);

    const outbox = (await (await fetch(`http://127.0.0.1:${env.DEV_POSTMARK_PORT}/outbox`)).json()) as Array<{ to: string }>;
    expect(outbox.map((m) => m.to)).toEqual(['dev.smoke@example.com']);
    // Both serve there (the worker, which dev does not wait for, has run the purchase by now).
    for (const url of metricsUrls!.slice(1)) expect((await fetch(url)).status).toBe(200);

    // The product is told: one access event, granted, with the tier's seats × licences; its check agrees.
    await output.waitFor(/\[product\] access\.updated acc_[0-9a-f]{32} granted · user [0-9a-f-]{36} · active · 9 seats/, 30_000);
    const token = readFileSync(join(devDir, 'access-token'), 'utf8').trim();
    const checked = await fetch(`http://127.0.0.1:${env.PORT}/access?email=dev.smoke@example.com`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(checked.status).toBe(200);
    expect(await checked.json()).toMatchObject({ access: { active: true, seats: 9 } });

    // The processes' JSON logs read as pretty lines at the terminal: ids and masked emails only,
    // and no bundler output.
    await output.waitFor(/welcome email sent/, 10_000);
    expect(output.text()).toMatch(/INFO \(worker\): welcome email sent\n(?: {4}.*\n)*? {4}activityType: "sendWelcomeEmail"/);
    expect(output.text()).toMatch(/INFO \(worker\): welcome email sent\n(?: {4}.*\n)*? {4}to: "d\*\*\*@example\.com"/);
    expect(output.text()).not.toMatch(/webpack|workflow-bundle/i);
    expect(output.text()).not.toContain('dev.smoke@example.com');
    expect(output.text()).not.toContain('taskToken');
    // Each line once: no raw JSON line beside (or glued to) its pretty twin, no warning from a dependency.
    expect(output.text().match(/welcome email sent/g)).toHaveLength(1);
    expect(output.text()).not.toMatch(/"msg":/);
    expect(output.text()).not.toMatch(/DeprecationWarning|FSTDEP/);

    signalGroup('SIGINT');
    await output.waitFor(/\[dev\] stopped/, 30_000);
    await new Promise((r) => dev!.on('exit', r));
  }, 150_000);
});

/** Listens on `port` on every interface, as a second copy of the service would; null when something already does. */
function hold(port: number): Promise<Server | null> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolvePromise(null) : reject(err)));
    server.listen(port, '0.0.0.0', () => resolvePromise(server));
  });
}

function collect(child: ChildProcess) {
  let text = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.on('exit', () => waiters.splice(0).forEach((w) => w()));
  return {
    text: () => text,
    waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text.slice(-3000)}`)),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(text)) {
            clearTimeout(timer);
            resolvePromise();
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`exited (${child.exitCode}) before ${pattern}; output:\n${text.slice(-3000)}`));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
