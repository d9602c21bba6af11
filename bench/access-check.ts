/**
 * Benchmark: the product's check, `GET /access`, at a steady rate (open loop).
 *
 *   npm run bench:access      # builds dist/, then runs the compiled API as production does
 *
 * PostgreSQL at BENCH_DATABASE_URL (recreated; its name must end in _bench), or `embedded`: one of
 * its own. It is seeded with BENCH_ACCESS_USERS users, each with a renewing subscription and a
 * lifetime purchase and their entitlements (the check's statement reads all of them), then the API
 * answers BENCH_ACCESS_RATE requests a second for BENCH_ACCESS_SECONDS, after a warm-up: half by
 * email, half by user id, each for a random user. Reported: the answer's time as the caller sees
 * it (loopback HTTP included), p50 / p95 / p99 / max, and any non-200.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../devstack/free-port';
import { spawnNode } from '../test/support/stack/spawn-node';
import { quantile } from './load';
import { cpuBetween, postgresBackends, snapshot } from './proc-stats';
import { benchDatabase } from './bench-database';
import { loadAverage, runMain } from './run-main';

const env = process.env;
const USERS = Number(env.BENCH_ACCESS_USERS ?? 10_000);
const RATE = Number(env.BENCH_ACCESS_RATE ?? 200);
const SECONDS = Number(env.BENCH_ACCESS_SECONDS ?? 30);
const WARMUP_SECONDS = Number(env.BENCH_ACCESS_WARMUP_SECONDS ?? 5);
const TOKEN = 'bench_access_token_0123456789abcdef';
const COMPILED = resolve(__dirname, '../dist/src/server.js');

interface Answer {
  ms: number;
  status: number;
}

async function main(): Promise<void> {
  const database = await benchDatabase('postgresql://postgres@127.0.0.1:5432/access_bench');
  try {
    const users = await seed(database.url, USERS);
    const port = await freePort();
    // The compiled API with the Dockerfile's node flags when `npm run build` made it; else from sources.
    const compiled = existsSync(COMPILED);
    const api = await spawnNode({
      label: 'api',
      args: compiled ? ['--max-semi-space-size=4', COMPILED] : ['--import', 'tsx', 'src/server.ts'],
      env: {
        PATH: env.PATH ?? '',
        DATABASE_URL: database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        METRICS_PORT: 'off',
        STRIPE_WEBHOOK_SECRET: 'whsec_bench_only',
        STRIPE_MODE: 'test',
        ACCESS_API_TOKENS: TOKEN,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        LOG_LEVEL: 'warn',
      },
      ready: async () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      keepChars: 20_000,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await load(base, users, RATE, WARMUP_SECONDS);
      // CPU per check, the API's and its PostgreSQL backends': steadier than latency on a shared machine.
      const pids = () => [api.pid, ...postgresBackends(databaseName(database.url))];
      const before = snapshot(pids());
      const answers = await load(base, users, RATE, SECONDS);
      const after = snapshot(pids());
      const cpu = {
        api: cpuBetween(new Map([[api.pid, before.get(api.pid)!]]), new Map([[api.pid, after.get(api.pid)!]])),
        all: cpuBetween(before, after),
      };
      print(answers, { compiled, cpuMsPerCheck: { api: cpu.api / answers.length, postgres: (cpu.all - cpu.api) / answers.length } });
    } finally {
      await api.stop('SIGTERM');
    }
  } finally {
    await database.stop();
  }
}

/** `count` users, each with a subscription (3 features, 5 seats) and a lifetime purchase (3 codes, 4 features, 9 seats). */
async function seed(url: string, count: number): Promise<Array<{ id: string; email: string }>> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    await pg.query(
      `INSERT INTO users (id, email, source, updated_at)
       SELECT gen_random_uuid(), 'bench.' || n || '@example.com', 'sumo', now() FROM generate_series(1, $1) AS n`,
      [count],
    );
    await pg.query(`
      INSERT INTO subscriptions (id, stripe_subscription_id, user_id, tier_id, plan, quantity, seat_limit, status, has_access,
                                 access_state, source, updated_at)
      SELECT gen_random_uuid(), 'sub_bench_' || u.id, u.id, 'pro', 'pro', 1, 5, 'active', true, 'active', 'direct', now() FROM users u`);
    await pg.query(`
      INSERT INTO purchases (id, payment_intent_id, user_id, tier_id, plan, quantity, active_quantity, seat_limit, status, has_access,
                             source, updated_at)
      SELECT gen_random_uuid(), 'pi_bench_' || u.id, u.id, 'sumo_tier_2', 'sumo-growth', 3, 3, 9, 'active', true, 'sumo', now() FROM users u`);
    await pg.query(`
      INSERT INTO entitlements (id, user_id, subscription_id, feature, granted_by_event_id)
      SELECT gen_random_uuid(), s.user_id, s.id, f, 'evt_bench' FROM subscriptions s, unnest(ARRAY['core', 'reports', 'integrations']) AS f`);
    await pg.query(`
      INSERT INTO entitlements (id, user_id, purchase_id, feature, granted_by_event_id)
      SELECT gen_random_uuid(), p.user_id, p.id, f, 'evt_bench' FROM purchases p,
             unnest(ARRAY['core', 'reports', 'integrations', 'priority_support']) AS f`);
    await pg.query('ANALYZE');
    return (await pg.query<{ id: string; email: string }>('SELECT id, email FROM users')).rows;
  } finally {
    await pg.end();
  }
}

/** `rate` checks a second for `seconds`, each sent on schedule whatever the answers do. */
async function load(base: string, users: Array<{ id: string; email: string }>, rate: number, seconds: number): Promise<Answer[]> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const t0 = performance.now();
  const sent: Promise<Answer>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const user = users[Math.floor(Math.random() * users.length)];
    const url = i % 2 === 0 ? `${base}/access?email=${encodeURIComponent(user.email)}` : `${base}/access/users/${user.id}`;
    const start = performance.now();
    sent.push(
      fetch(url, { headers }).then(
        async (res) => {
          await res.arrayBuffer();
          return { ms: performance.now() - start, status: res.status };
        },
        () => ({ ms: performance.now() - start, status: 0 }),
      ),
    );
  }
  return Promise.all(sent);
}

function print(answers: Answer[], how: { compiled: boolean; cpuMsPerCheck: { api: number; postgres: number } }): void {
  const ms = answers.map((a) => a.ms);
  const failed = answers.filter((a) => a.status !== 200);
  const f = (v: number) => v.toFixed(2);
  console.log(
    [
      `GET /access at ${RATE}/s for ${SECONDS} s (${answers.length} requests, ${USERS} users; API ${how.compiled ? 'compiled' : 'from sources'}):`,
      `  p50 ${f(quantile(ms, 0.5))} ms · p95 ${f(quantile(ms, 0.95))} ms · p99 ${f(quantile(ms, 0.99))} ms · max ${f(Math.max(...ms))} ms`,
      `  CPU per check: API ${f(how.cpuMsPerCheck.api)} ms, PostgreSQL ${f(how.cpuMsPerCheck.postgres)} ms (10 ms clock ticks, totals over the run)`,
      `  non-200: ${failed.length}${failed.length ? ` (${[...new Set(failed.map((a) => a.status))].join(', ')})` : ''}`,
      `  load average ${loadAverage()} (${cpus().length} cores): a shared machine's p99 says more about its neighbours`,
    ].join('\n'),
  );
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

runMain(main);
