/**
 * Benchmark: what a fulfillment costs, per process and per thread, next to the inline handler
 * and a verify-and-200 ceiling measured in the same run (docs/PERFORMANCE.md).
 *
 *   npm run bench        # builds dist/, then: verify-only, inline handler, the service
 *
 * The service runs as production does: compiled API and worker processes (dist/), a Temporal
 * dev server, PostgreSQL (BENCH_DATABASE_URL, default
 * postgresql://postgres@127.0.0.1:5432/fulfillment_bench, recreated), and a local Postmark
 * answering in 150 ms. Every stack gets a warm-up, an idle interval, a burst of BENCH_EVENTS
 * purchases with BENCH_IN_FLIGHT open (CPU per purchase from /proc), then BENCH_RATE/s for
 * BENCH_RATE_SECONDS (the webhook's answer while the backlog drains).
 *
 * BENCH_ROUNDS=n runs the stacks n times, interleaved, and reports each figure's median.
 * BENCH_BEFORE_DIR=<a built checkout> adds that checkout's service as "service (before)",
 * run just before this one's: a before/after in one run. BENCH_STACKS picks stacks
 * (verify, inline, before, service; `label@dir`: the service built in another checkout, one change
 * each, reported as "service, label" (a label starting with all-in-one: that checkout's API hosts the
 * worker and runs alone, with the worker's environment); quiet, semispace and semi4: the
 * service with LOG_LEVEL=warn, or the worker with --max-semi-space-size=32 or 4; old256: the worker with --max-old-space-size=256; nice10: the worker
 * at a lowered CPU priority, WORKER_NICE=10, nice19 at 19; shares: cgroup CPU weights, API 2048 and worker 256, as compose's cpu_shares; eageract: the dev server with eager activity execution on; workers2: a second worker (its CPU in the worker row, its round trips not counted); pool20: WORKER_DB_POOL_SIZE=20 (18 step slots); cluster: the service on
 * the production-shaped Temporal server on PostgreSQL (test/support/temporal-cluster.ts) instead of the dev server; arena16: glibc's default malloc arenas
 * instead of the Dockerfile's MALLOC_ARENA_MAX=2); BENCH_WORKER_NODE_ARGS adds node flags to the worker
 * (e.g. "--trace-gc" to count collections, "--cpu-prof --cpu-prof-dir=.bench-prof").
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../src/db/migrate';
import { startEmbeddedPostgres } from '../devstack/embedded-postgres';
import { startLocalPostmark } from '../devstack/local-postmark';
import { recreateDatabase } from '../test/support/recreate-database';
import { billableActions, historyFile, total } from './billable-actions';
import { measureStack, type BenchSettings, type StackResult } from './measure';
import { medianOf } from './median';
import { report } from './report';
import { startBaselineStack, startServiceStack, type Stack, type StackEnv } from './stack';

const env = process.env;
const DATABASE = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fulfillment_bench';

/** BENCH_DATABASE_URL=embedded: a PostgreSQL of the bench's own (embedded-postgres), for a machine whose shared server is full. */
async function database(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (DATABASE !== 'embedded') return { url: DATABASE, stop: async () => {} };
  const pg = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'bench-pg-')), persistent: false });
  const url = new URL(pg.url);
  url.pathname = '/fulfillment_bench';
  return { url: url.toString(), stop: () => pg.stop() };
}
const settings: BenchSettings = {
  secret: 'whsec_bench_only',
  warmup: Number(env.BENCH_WARMUP ?? 20),
  events: Number(env.BENCH_EVENTS ?? 200),
  inFlight: Number(env.BENCH_IN_FLIGHT ?? 32),
  rate: Number(env.BENCH_RATE ?? 30),
  rateSeconds: Number(env.BENCH_RATE_SECONDS ?? 10),
  idleSeconds: Number(env.BENCH_IDLE_SECONDS ?? 3),
};
const POSTMARK_DELAY_MS = Number(env.BENCH_POSTMARK_DELAY_MS ?? 150);

async function main(): Promise<void> {
  const started = performance.now();
  const pg = await database();
  const DATABASE_URL = pg.url;
  await recreateDatabase(DATABASE_URL, '_bench');
  await applyMigrations(DATABASE_URL);
  const postmark = await startLocalPostmark();
  postmark.failAlways({ kind: 'slow', delayMs: POSTMARK_DELAY_MS });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();

  const stackEnv: StackEnv = {
    databaseUrl: DATABASE_URL,
    postmark,
    secret: settings.secret,
    workerNodeArgs: env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean),
    apiNodeArgs: env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean),
    // Production encrypts payloads (docs/SECURITY.md); a fresh key per run. BENCH_ENCRYPTION=off measures without.
    payloadKeys: env.BENCH_ENCRYPTION === 'off' ? undefined : `bench:${randomBytes(32).toString('base64')}`,
  };
  const quiet = { LOG_LEVEL: 'warn' };
  const starters: Record<string, () => Promise<Stack>> = {
    verify: () => startBaselineStack('verify', stackEnv),
    inline: () => startBaselineStack('inline', stackEnv),
    before: () => startServiceStack('service (before)', { ...stackEnv, serviceDir: env.BENCH_BEFORE_DIR }),
    service: () => startServiceStack('service', stackEnv),
    // Suspects, one setting changed each: the logs' share, and the young generation's size.
    quiet: () => startServiceStack('service, LOG_LEVEL=warn', { ...stackEnv, workerEnv: quiet, apiEnv: quiet }),
    // glibc's default arenas (8 per core) instead of the Dockerfile's MALLOC_ARENA_MAX=2.
    arena16: () =>
      startServiceStack('service, MALLOC_ARENA_MAX=16', {
        ...stackEnv,
        workerEnv: { MALLOC_ARENA_MAX: '16' },
        apiEnv: { MALLOC_ARENA_MAX: '16' },
      }),
    // The worker lowers its own CPU priority (WORKER_NICE, default 0: off).
    nice10: () => startServiceStack('service, WORKER_NICE=10', { ...stackEnv, workerEnv: { WORKER_NICE: '10' } }),
    // CPU weights as compose's cpu_shares sets them (cgroup v1 cpu.shares; the host must mount it writable).
    shares: () => startServiceStack('service, cpu_shares API 2048 / worker 256', { ...stackEnv, cpuShares: { api: 2048, worker: 256 } }),
    // Two workers on the same cores: does a second one add to the drain's rate?
    workers2: () => startServiceStack('service, 2 workers', { ...stackEnv, extraWorkers: 1 }),
    // The server hands the email's activity task back with the workflow task that schedules it (a self-hosted server's setting).
    eageract: () =>
      startServiceStack('service, eager activities', {
        ...stackEnv,
        temporalDynamicConfig: { 'system.enableActivityEagerExecution': true },
      }),
    nice19: () => startServiceStack('service, WORKER_NICE=19', { ...stackEnv, workerEnv: { WORKER_NICE: '19' } }),
    // Twice the pool, so twice the step slots (WORKER_DB_POOL_SIZE=20: 2 + 18).
    pool20: () => startServiceStack('service, WORKER_DB_POOL_SIZE=20', { ...stackEnv, workerEnv: { WORKER_DB_POOL_SIZE: '20' } }),
    // The worker's young generation capped as the API's is (Dockerfile CMD): its memory, and what it costs in GC.
    // The Temporal server as production runs it (PostgreSQL, not the dev server's SQLite in memory).
    cluster: () => startServiceStack('service, Temporal on PostgreSQL', { ...stackEnv, temporalServer: 'cluster' }),
    semi4: () =>
      startServiceStack('service, worker --max-semi-space-size=4', {
        ...stackEnv,
        workerNodeArgs: [...(stackEnv.workerNodeArgs ?? []), '--max-semi-space-size=4'],
      }),
    // The worker's old generation capped: V8 collects sooner instead of growing the heap toward its
    // default limit (a quarter of the host's memory); the SDK sizes its workflow cache from the limit.
    old256: () =>
      startServiceStack('service, worker --max-old-space-size=256', {
        ...stackEnv,
        workerNodeArgs: [...(stackEnv.workerNodeArgs ?? []), '--max-old-space-size=256'],
      }),
    semispace: () =>
      startServiceStack('service, worker --max-semi-space-size=32', {
        ...stackEnv,
        workerNodeArgs: [...(stackEnv.workerNodeArgs ?? []), '--max-semi-space-size=32'],
      }),
  };
  // `label@dir`: the service built in another checkout (one change each), beside this one's.
  const checkoutStarter = (name: string) => {
    const at = name.indexOf('@');
    const label = name.slice(0, at);
    return at > 0
      ? () =>
          startServiceStack(`service, ${label}`, {
            ...stackEnv,
            serviceDir: resolve(name.slice(at + 1)),
            // `all-in-one…@dir`: that checkout's API hosts the worker, so it runs alone.
            allInOne: label.startsWith('all-in-one'),
          })
      : undefined;
  };
  const names = (env.BENCH_STACKS ?? `verify,inline,${env.BENCH_BEFORE_DIR ? 'before,' : ''}service`).split(',');

  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
  const loadAtStart = load();
  const rounds = Number(env.BENCH_ROUNDS ?? 1);
  const runs: StackResult[] = [];
  for (let round = 0; round < rounds; round++)
    for (const name of names) {
      const start = starters[name] ?? checkoutStarter(name);
      if (!start) throw new Error(`BENCH_STACKS: unknown stack "${name}" (${Object.keys(starters).join(', ')})`);
      const stack = await start();
      try {
        console.error(`measuring ${stack.name} …`);
        runs.push(
          await measureStack(stack, db, postmark, settings).catch((err: unknown) => {
            // What the stack's processes said last: the reason behind a 500.
            for (const p of stack.processes) console.error(`--- ${p.label}:\n${p.output().slice(-3000)}`);
            throw err;
          }),
        );
      } finally {
        await stack.stop();
      }
    }

  const results = [...new Set(runs.map((r) => r.name))].map((name) => medianOf(runs.filter((r) => r.name === name)));
  console.log(
    `${rounds > 1 ? `median of ${rounds} rounds, stacks interleaved; ` : ''}${settings.events} purchases at ${settings.inFlight} in flight, then ${settings.rate}/s for ${settings.rateSeconds} s; ` +
      `Postmark answers in ${POSTMARK_DELAY_MS} ms; ${cpus().length} CPUs; payloads ${stackEnv.payloadKeys ? 'encrypted' : 'not encrypted'}; ` +
      `PostgreSQL ${DATABASE === 'embedded' ? 'of its own (embedded)' : 'from BENCH_DATABASE_URL'}; ` +
      `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${load()} at the end\n`,
  );
  console.log(report(results, settings));
  console.log(`\n${recordedActions()}`);
  console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await db.end();
  await postmark.close();
  await pg.stop();
}

/** Billable actions in the committed recorded histories of each kind of fulfillment (heartbeats aside: not in a history). */
function recordedActions(): string {
  const kinds = [
    ['Sumo purchase, new user', 'sumo-new-user'],
    ['direct purchase, new user', 'direct-new-user'],
    ['subscription updated (a renewal)', 'subscription-updated'],
    ['lifetime deal refunded (one code)', 'lifetime-refund-one-code'],
  ];
  const rows = kinds.map(([what, file]) => {
    const counts = billableActions(
      historyFile(JSON.parse(readFileSync(resolve(__dirname, `../test/fixtures/histories/${file}.json`), 'utf8'))),
    );
    return `| ${what} | ${total(counts)} | ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')} |`;
  });
  return ['| recorded history (test/fixtures/histories) | billable actions | of which |', '|---|---|---|', ...rows].join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
