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
 * (verify, inline, before, service; quiet and semispace: the
 * service with LOG_LEVEL=warn, or the worker with --max-semi-space-size=32; nice: the worker at
 * nice 10, the API first for the CPU); BENCH_WORKER_NODE_ARGS adds node flags to the worker
 * (e.g. "--trace-gc" to count collections, "--cpu-prof --cpu-prof-dir=.bench-prof").
 */
import { cpus } from 'node:os';
import { Client } from 'pg';
import { applyMigrations } from '../src/db/migrate';
import { startLocalPostmark } from '../src/dev/local-postmark';
import { recreateDatabase } from '../test/support/recreate-database';
import { measureStack, type BenchSettings, type StackResult } from './measure';
import { medianOf } from './median';
import { report } from './report';
import { startBaselineStack, startServiceStack, type Stack, type StackEnv } from './stack';

const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fulfillment_bench';
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
  };
  const quiet = { LOG_LEVEL: 'warn' };
  const starters: Record<string, () => Promise<Stack>> = {
    verify: () => startBaselineStack('verify', stackEnv),
    inline: () => startBaselineStack('inline', stackEnv),
    before: () => startServiceStack('service (before)', { ...stackEnv, serviceDir: env.BENCH_BEFORE_DIR }),
    service: () => startServiceStack('service', stackEnv),
    // Suspects, one setting changed each: the logs' share, and the young generation's size.
    quiet: () => startServiceStack('service, LOG_LEVEL=warn', { ...stackEnv, workerEnv: quiet, apiEnv: quiet }),
    // The API first: the worker at a lower CPU priority, as if they did not share cores.
    nice: () => startServiceStack('service, worker at nice 10', { ...stackEnv, workerEnv: { BENCH_NICE: '10' } }),
    semispace: () =>
      startServiceStack('service, worker --max-semi-space-size=32', {
        ...stackEnv,
        workerNodeArgs: [...(stackEnv.workerNodeArgs ?? []), '--max-semi-space-size=32'],
      }),
  };
  const names = (env.BENCH_STACKS ?? `verify,inline,${env.BENCH_BEFORE_DIR ? 'before,' : ''}service`).split(',');

  const rounds = Number(env.BENCH_ROUNDS ?? 1);
  const runs: StackResult[] = [];
  for (let round = 0; round < rounds; round++)
    for (const name of names) {
      const start = starters[name];
      if (!start) throw new Error(`BENCH_STACKS: unknown stack "${name}" (${Object.keys(starters).join(', ')})`);
      const stack = await start();
      try {
        console.error(`measuring ${stack.name} …`);
        runs.push(await measureStack(stack, db, postmark, settings));
      } finally {
        await stack.stop();
      }
    }

  const results = [...new Set(runs.map((r) => r.name))].map((name) => medianOf(runs.filter((r) => r.name === name)));
  console.log(
    `${rounds > 1 ? `median of ${rounds} rounds, stacks interleaved; ` : ''}${settings.events} purchases at ${settings.inFlight} in flight, then ${settings.rate}/s for ${settings.rateSeconds} s; ` +
      `Postmark answers in ${POSTMARK_DELAY_MS} ms; ${cpus().length} CPUs\n`,
  );
  console.log(report(results, settings));
  console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await db.end();
  await postmark.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
