/**
 * `npm run dev`: the whole service on embedded defaults, for a newcomer's first run.
 * Temporal dev server (UI on :8233), PostgreSQL (DATABASE_URL or an embedded one),
 * migrations, a local Postmark when no token is set, the worker and the API.
 * Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import exitHook from 'async-exit-hook';
import { prettyFactory } from 'pino-pretty';
import { buildCodecApp } from '../src/codec/codec-app';
import { createPostmarkClient } from '../src/clients/postmark';
import { loadCodecConfig, templateAliases } from '../src/config';
import { pushTemplates } from '../src/emails/postmark-templates';
import { applyMigrations } from '../src/db/migrate';
import { EncryptionCodec } from '../src/temporal/payload-codec';
import { startDevAccessReceiver } from './access-receiver';
import { devAccessToken, devAppWebhookSecret, devCodecToken, devPayloadKeysFile } from './dev-secrets';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startLocalPostmark } from './local-postmark';
import { startStripeMockIfAvailable } from './stripe-mock';
import { DEV_DIR, writeDevState } from './dev-state';
import { freePort } from './free-port';
import { startTemporalDevServer, stopProcess } from './temporal-dev-server';

const root = resolve(__dirname, '..');
const say = (msg: string) => console.log(`[dev] ${msg}`);
const stops: Array<() => Promise<void>> = [];

/** Fixed ports a newcomer can bookmark; each can be moved when taken. */
const ports = {
  api: Number(process.env.PORT ?? 3000),
  temporal: Number(process.env.DEV_TEMPORAL_PORT ?? 7233),
  temporalUi: Number(process.env.DEV_TEMPORAL_UI_PORT ?? 8233),
  postmark: Number(process.env.DEV_POSTMARK_PORT ?? 8025),
  codec: Number(process.env.DEV_CODEC_PORT ?? 8888),
  product: Number(process.env.DEV_PRODUCT_PORT ?? 4000),
};

async function main(): Promise<void> {
  const port = ports.api;

  // Histories are encrypted as in production: PAYLOAD_KEYS(_FILE) if set, else a local key kept in .dev/.
  const keys =
    process.env.PAYLOAD_KEYS || process.env.PAYLOAD_KEYS_FILE
      ? { PAYLOAD_KEYS: process.env.PAYLOAD_KEYS, PAYLOAD_KEYS_FILE: process.env.PAYLOAD_KEYS_FILE }
      : { PAYLOAD_KEYS_FILE: devPayloadKeysFile() };
  const codec = await startDevCodecServer(keys);
  stops.push(() => codec.close());

  say('starting the Temporal dev server…');
  const temporal = await startTemporalDevServer({
    port: ports.temporal,
    uiPort: ports.temporalUi,
    dbFile: join(DEV_DIR, 'temporal.sqlite'),
    uiCodecEndpoint: codec.url,
    log: say,
  });
  stops.push(() => temporal.stop());

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = join(DEV_DIR, 'postgres');
    say(`DATABASE_URL not set: starting embedded PostgreSQL (data in ${dataDir})…`);
    const pg = await startEmbeddedPostgres({ dataDir, log: say });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  const { applied } = await applyMigrations(databaseUrl);
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema up to date');

  // The metrics ports nobody types: free ones unless set, so a second copy of the service
  // (or anything else on 9464/9465) does not stop this one from starting.
  const metricsPort = process.env.METRICS_PORT ?? String(await freePort());
  const workerMetricsAddress = process.env.WORKER_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    METRICS_PORT: metricsPort,
    WORKER_METRICS_ADDRESS: workerMetricsAddress,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? `whsec_dev_${randomBytes(16).toString('hex')}`,
    POSTMARK_FROM: process.env.POSTMARK_FROM ?? 'welcome@localhost.test',
    ...keys,
  };

  if (!process.env.POSTMARK_SERVER_TOKEN) {
    // An empty server, filled as a real one is: by pushing the repository's templates.
    const postmark = await startLocalPostmark({ port: ports.postmark, templates: 'none' });
    stops.push(() => postmark.close());
    env.POSTMARK_SERVER_TOKEN = 'local-dev-token';
    env.POSTMARK_API_URL = postmark.url;
    const pushed = await pushTemplates(createPostmarkClient(env.POSTMARK_SERVER_TOKEN, postmark.url), templateAliases(env));
    say(`POSTMARK_SERVER_TOKEN not set: emails go to a local Postmark (templates pushed: ${pushed.map((t) => t.alias).join(', ')})`);
    say(`  open ${postmark.url}/outbox in a browser to see each email as the buyer does`);
  }
  // The product's side: its check's token, and a stand-in product that prints the access events it gets.
  env.ACCESS_API_TOKENS = process.env.ACCESS_API_TOKENS ?? devAccessToken();
  if (!process.env.APP_WEBHOOK_URL) {
    env.APP_WEBHOOK_SECRETS = devAppWebhookSecret();
    const product = await startDevAccessReceiver({
      port: ports.product,
      secrets: [env.APP_WEBHOOK_SECRETS],
      log: (line) => console.log(`[product] ${line}`),
    });
    stops.push(() => product.close());
    env.APP_WEBHOOK_URL = product.url;
    say(`APP_WEBHOOK_URL not set: access events go to a stand-in product at ${product.url} (it prints each one)`);
  }
  if (!process.env.STRIPE_SECRET_KEY) {
    env.STRIPE_SECRET_KEY = 'sk_test_localdev'; // stripe-mock accepts only sk_test_ + letters and digits
    const mock = await startStripeMockIfAvailable();
    if (mock) {
      stops.push(() => mock.stop());
      env.STRIPE_API_BASE = mock.url;
      say(`STRIPE_SECRET_KEY not set: Stripe API calls go to stripe-mock at ${mock.url}`);
    } else {
      say('STRIPE_SECRET_KEY not set and no stripe-mock binary: direct purchases need metadata.tier_id (simulate sets it)');
    }
  }

  const worker = run('worker', ['src/worker.ts'], env);
  const api = run('api', ['src/server.ts'], env);
  stops.push(
    () => stopProcess(api),
    () => stopProcess(worker),
  );

  // 127.0.0.1, not localhost: the API listens on IPv4, and localhost may resolve to ::1 first.
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${apiUrl}/readyz`);
  writeDevState({
    apiUrl,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET!,
    temporalAddress: temporal.address,
    temporalUiUrl: temporal.uiUrl!,
    databaseUrl,
    stripeApiBase: env.STRIPE_API_BASE,
    // Only the local placeholder key; a real key given in the environment stays there.
    stripeSecretKey: process.env.STRIPE_SECRET_KEY ? undefined : env.STRIPE_SECRET_KEY,
    payloadKeysFile: keys.PAYLOAD_KEYS ? undefined : keys.PAYLOAD_KEYS_FILE,
    codecUrl: codec.url,
    // Only the local stand-in and its placeholder token; a real token stays in the environment.
    postmarkUrl: process.env.POSTMARK_SERVER_TOKEN ? undefined : env.POSTMARK_API_URL,
    postmarkServerToken: process.env.POSTMARK_SERVER_TOKEN ? undefined : env.POSTMARK_SERVER_TOKEN,
  });
  say('ready:');
  say(`  webhook      POST ${apiUrl}/webhooks/stripe`);
  say(`  temporal UI  ${temporal.uiUrl}   (payloads encrypted; decoded through the codec server below)`);
  say(`  codec        ${codec.url}   token in ${join(DEV_DIR, 'codec-token')}`);
  say(
    `               UI: sign in once at ${codec.url}/login, then in the UI's Codec Server settings tick "Include cross-origin credentials"`,
  );
  say(
    `               CLI: temporal workflow show -w evt_… --codec-endpoint ${codec.url} --codec-auth "Bearer $(cat ${join(DEV_DIR, 'codec-token')})"`,
  );
  say(`  metrics      ${metricsUrl(metricsPort, env.METRICS_HOST)} (API), ${metricsUrl(workerMetricsAddress)} (worker)`);
  if (!process.env.POSTMARK_SERVER_TOKEN)
    say(`  outbox       ${env.POSTMARK_API_URL}/outbox   (open in a browser: each email as the buyer sees it)`);
  say(`  database     ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
  const bearer = process.env.ACCESS_API_TOKENS ? '<one of ACCESS_API_TOKENS>' : `$(cat ${join(DEV_DIR, 'access-token')})`;
  say(`  access       curl -H "Authorization: Bearer ${bearer}" '${apiUrl}/access?email=…'   (the product's check)`);
  say(`  product      ${env.APP_WEBHOOK_URL}   (access events; docs/integration.md)`);
  say(
    `  secret       ${env.STRIPE_WEBHOOK_SECRET}   (local signing secret; real Stripe: stripe listen --forward-to localhost:${port}/webhooks/stripe and set STRIPE_WEBHOOK_SECRET)`,
  );
  say('try: npm run simulate -- sumo      (Ctrl-C stops everything)');
}

/** The codec server on loopback, for the dev UI (its origins allowed) and the `temporal` CLI. */
async function startDevCodecServer(keys: { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string }) {
  const ui = ports.temporalUi;
  const config = loadCodecConfig({
    ...keys,
    CODEC_AUTH_TOKEN: process.env.CODEC_AUTH_TOKEN ?? devCodecToken(),
    CODEC_PORT: String(ports.codec),
    CODEC_HOST: '127.0.0.1',
    CODEC_CORS_ORIGINS: `http://127.0.0.1:${ui},http://localhost:${ui}`,
  });
  const app = await buildCodecApp({
    codec: new EncryptionCodec(config.payloadKeys),
    authToken: config.CODEC_AUTH_TOKEN,
    corsOrigins: config.CODEC_CORS_ORIGINS,
  });
  await app.listen({ port: config.CODEC_PORT, host: config.CODEC_HOST });
  return { url: `http://127.0.0.1:${config.CODEC_PORT}/codec`, close: () => app.close() };
}

async function waitUntilReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (shuttingDown) throw new Error('stopped while starting');
    if (Date.now() > deadline) throw new Error(`the API did not become ready at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `METRICS_PORT` (+ host) or `WORKER_METRICS_ADDRESS` as a URL to open; `off` stays off. */
function metricsUrl(portOrAddress: string, host = '127.0.0.1'): string {
  if (portOrAddress === 'off' || portOrAddress === '') return 'off';
  const address = portOrAddress.includes(':') ? portOrAddress : `${host}:${portOrAddress}`;
  return `http://${address.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}/metrics`;
}

/** One JSON log line → one pretty line (lines that are not JSON come back as they are). */
const prettyLine = prettyFactory({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });

function run(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // `node --import tsx`, not the tsx CLI: the CLI's signal relay can SIGKILL a process that
  // is still shutting down, and the worker must be allowed to drain.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  // The services log JSON lines (for log shippers); a person at a terminal reads them pretty,
  // each once. DEV_LOG_FORMAT=json keeps them raw. (Not `pino-pretty()` piped on: that stream
  // writes the pretty line to stdout itself and passes the raw one through as well.)
  if (process.env.DEV_LOG_FORMAT === 'json') child.stdout.pipe(process.stdout);
  else createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => process.stdout.write(prettyLine(line)));
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      say(`${name} exited (${signal ?? code}); stopping`);
      void shutdown(1);
    }
  });
  return child;
}

let shuttingDown = false;
let stopped: Promise<void> | undefined;
/** Stops everything that started, newest first, once. */
function stopAll(): Promise<void> {
  shuttingDown = true;
  return (stopped ??= (async () => {
    say('stopping…');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => say(`stop failed: ${String(err)}`));
    say('stopped');
  })());
}

async function shutdown(code: number): Promise<void> {
  await stopAll();
  process.exit(code);
}

// Ctrl-C / SIGTERM: stop everything (newest first), then exit; a second Ctrl-C, or 30 s,
// exits at once.
exitHook.forceExitTimeout(30_000);
exitHook((done) => void stopAll().then(done));

main().catch(async (err: unknown) => {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
});
