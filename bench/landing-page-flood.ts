/**
 * Benchmark: the landing page's answer to its buyers while random session ids flood it and Stripe is slow
 *
 *   npm run bench:landing-flood     # builds dist/, then the phases below on one service stack
 *
 * The service as `npm run bench` runs it (bench/stack.ts; PostgreSQL at BENCH_DATABASE_URL, default
 * …/landing_flood_bench, recreated, or `embedded`), the API with its production defaults for the
 * endpoint (CHECKOUT_STATUS_RATE_LIMIT 60 a minute per address, TRUST_PROXY_HOPS 0) and its Stripe a
 * local stand-in answering every request after BENCH_STRIPE_DELAY_MS (400). First BENCH_BUYERS (100)
 * Sumo purchases are fulfilled. Then, BENCH_ROUNDS times (1), two phases of BENCH_FLOOD_SECONDS (60):
 * - alone: the buyers poll `GET /checkout/sessions/:id` of their own session, BENCH_POLL_RATE (10) a
 *   second in all, round robin;
 * - with the flood: the same, while BENCH_FLOOD_ADDRESSES (10) addresses ask for random session ids,
 *   BENCH_FLOOD_PER_MINUTE (600) a minute in all.
 * Both are open loops (each request sent on schedule whatever the answers do; one gives up after 30 s).
 *
 * Client addresses: each buyer and each flood address binds its sockets to a loopback address of its
 * own (127.1.x.y for buyers, 127.2.0.z for the flood: Node's `localAddress`), so the API, which runs
 * with TRUST_PROXY_HOPS=0 as the bench's stack does, sees them as distinct clients by the connection
 * itself, as it would without a proxy; no X-Forwarded-For is sent. The rate limiter's
 * `x-ratelimit-remaining` per address is printed to show it.
 *
 * Reported: the buyers' p50/p99 alone and with the flood and their ratio (target: p99 ≤ 1.2×),
 * and how the flood was answered (by status, p50/p99), and the Stripe requests the API made.
 */
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { Client } from 'pg';
import type Stripe from 'stripe';
import { startLocalPostmark } from '../devstack/local-postmark';
import { id } from '../devstack/sample-events';
import { startLocalStripeEvents } from '../test/support/local-stripe-events';
import { benchDatabase } from './bench-database';
import { burstOf, purchase, quantile } from './load';
import { fulfilled } from './measure';
import { startServiceStack } from './stack';
import { closeAll, loadAverage, runMain } from './run-main';

const env = process.env;
const SECRET = 'whsec_bench_only';
const BUYERS = Number(env.BENCH_BUYERS ?? 100);
const POLL_RATE = Number(env.BENCH_POLL_RATE ?? 10);
const SECONDS = Number(env.BENCH_FLOOD_SECONDS ?? 60);
const FLOOD_ADDRESSES = Number(env.BENCH_FLOOD_ADDRESSES ?? 10);
const FLOOD_PER_MINUTE = Number(env.BENCH_FLOOD_PER_MINUTE ?? 600);
const STRIPE_DELAY_MS = Number(env.BENCH_STRIPE_DELAY_MS ?? 400);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 1);
const GIVE_UP_MS = 30_000;

interface Answer {
  ms: number;
  /** 0: no answer within GIVE_UP_MS, or the connection failed. */
  status: number;
  /** The body's `status` for a 200 (`fulfilled` for a buyer). */
  said?: string;
  from: string;
  /** The rate limiter's count left for this address (x-ratelimit-remaining), when it said. */
  remaining?: number;
}

/** One keep-alive agent per source address, as each client keeps its own connections. */
const agents = new Map<string, Agent>();

function get(base: URL, path: string, from: string): Promise<Answer> {
  let agent = agents.get(from);
  if (!agent) agents.set(from, (agent = new Agent({ keepAlive: true })));
  const start = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, body = '', remaining?: string) => {
      let said: string | undefined;
      if (status === 200) said = (JSON.parse(body) as { status?: string }).status;
      resolve({ ms: performance.now() - start, status, said, from, remaining: remaining === undefined ? undefined : Number(remaining) });
    };
    const req = request({ host: base.hostname, port: base.port, path, agent, localAddress: from, timeout: GIVE_UP_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode ?? 0, body, res.headers['x-ratelimit-remaining'] as string | undefined));
      res.on('error', () => done(0));
    });
    req.on('timeout', () => req.destroy(new Error('gave up')));
    req.on('error', () => done(0));
    req.end();
  });
}

/** `perSecond` requests a second for `seconds`, each sent on schedule whatever the answers do. */
async function openLoop(perSecond: number, seconds: number, next: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const t0 = performance.now();
  const sent: Promise<Answer>[] = [];
  for (let i = 0; i < Math.round(perSecond * seconds); i++) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(next(i));
  }
  return Promise.all(sent);
}

const buyerAddress = (k: number) => `127.1.${Math.floor(k / 250)}.${(k % 250) + 1}`;
const floodAddress = (a: number) => `127.2.0.${(a % 250) + 1}`;

interface Phase {
  buyers: Answer[];
  flood: Answer[];
  stripeRequests: number;
}

async function phase(base: URL, sessions: string[], stripe: { requests: string[] }, flood: boolean, seconds = SECONDS): Promise<Phase> {
  const stripeBefore = stripe.requests.length;
  const [buyers, floodAnswers] = await Promise.all([
    openLoop(POLL_RATE, seconds, (i) =>
      get(base, `/checkout/sessions/${sessions[i % sessions.length]}`, buyerAddress(i % sessions.length)),
    ),
    flood
      ? openLoop(FLOOD_PER_MINUTE / 60, seconds, (i) => get(base, `/checkout/sessions/${id('cs')}`, floodAddress(i % FLOOD_ADDRESSES)))
      : Promise.resolve([]),
  ]);
  return { buyers, flood: floodAnswers, stripeRequests: stripe.requests.length - stripeBefore };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '—');

function report(alone: Phase[], flooded: Phase[]): string {
  // Each figure's median over the rounds (one round: its own figures).
  const q = (phases: Phase[], pick: (p: Phase) => Answer[], p: number) =>
    median(
      phases.map((ph) =>
        quantile(
          pick(ph).map((a) => a.ms),
          p,
        ),
      ),
    );
  const buyers = (p: Phase) => p.buyers;
  const floodOf = (p: Phase) => p.flood;
  const [a50, a99, f50, f99] = [q(alone, buyers, 0.5), q(alone, buyers, 0.99), q(flooded, buyers, 0.5), q(flooded, buyers, 0.99)];
  const notFulfilled = (phases: Phase[]) => phases.flatMap(buyers).filter((a) => a.status !== 200 || a.said !== 'fulfilled');
  const byStatus = (answers: Answer[]) => {
    const counts = new Map<string, number>();
    for (const a of answers) {
      const key = a.status === 0 ? 'no answer' : String(a.status);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([s, n]) => `${n} × ${s}`).join(', ') || 'none';
  };
  const floodAnswers = flooded.flatMap(floodOf);
  const lowest = (answers: Answer[]) => Math.min(...answers.map((a) => a.remaining ?? Infinity));
  const head = ['', 'buyers alone', 'buyers with the flood', 'flood ÷ alone'];
  const rows = [
    [
      "buyers' answer p50 / p99 (ms)",
      `${ms(a50)} / ${ms(a99)}`,
      `${ms(f50)} / ${ms(f99)}`,
      `${(f50 / a50).toFixed(2)}× / ${(f99 / a99).toFixed(2)}×`,
    ],
    ["buyers' answers other than 200 fulfilled", byStatus(notFulfilled(alone)), byStatus(notFulfilled(flooded)), ''],
    [
      'Stripe requests the API made per phase',
      String(median(alone.map((p) => p.stripeRequests))),
      String(median(flooded.map((p) => p.stripeRequests))),
      '',
    ],
  ];
  const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  return [
    ...table,
    '',
    `flood: ${floodAnswers.length} requests from ${FLOOD_ADDRESSES} addresses, answered ${byStatus(floodAnswers)}; ` +
      `p50 ${ms(q(flooded, floodOf, 0.5))} ms, p99 ${ms(q(flooded, floodOf, 0.99))} ms`,
    `rate limiter (x-ratelimit-remaining, lowest seen): per buyer ${lowest(flooded.flatMap(buyers))}, per flood address ${lowest(floodAnswers)} ` +
      '(one shared address would have run out)',
  ].join('\n');
}

async function main(): Promise<void> {
  // Each buyer stays well under the endpoint's 60 a minute per address, as a real buyer does.
  if ((60 * POLL_RATE) / BUYERS > 30)
    throw new Error(`BENCH_BUYERS ${BUYERS} is too few for ${POLL_RATE} polls a second: each would near the rate limit`);
  const started = performance.now();
  const loadAtStart = loadAverage();
  const database = await benchDatabase('postgresql://postgres@127.0.0.1:5432/landing_flood_bench');
  const [postmark, stripe] = await Promise.all([startLocalPostmark(), startLocalStripeEvents()]);
  postmark.failAlways({ kind: 'slow', delayMs: 150 });
  stripe.answerAfter(STRIPE_DELAY_MS);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const stack = await startServiceStack('service', {
    databaseUrl: database.url,
    postmark,
    secret: SECRET,
    apiEnv: { STRIPE_SECRET_KEY: 'sk_test_bench', STRIPE_API_BASE: stripe.url },
  }).catch(async (err: unknown) => {
    await Promise.allSettled([db.end(), postmark.close(), stripe.close()]);
    await database.stop();
    throw err;
  });
  try {
    // The buyers: fulfilled purchases whose sessions Stripe also holds.
    const bought = Array.from({ length: BUYERS }, purchase);
    for (const p of bought) stripe.addSession(p.event.data.object);
    const deliveries = await burstOf(stack.url, SECRET, bought, 8);
    await fulfilled(stack, db, postmark, deliveries, performance.now());
    const sessions = bought.map((p) => (p.event.data.object as Stripe.Checkout.Session).id);
    const base = new URL(stack.url);

    // Warm-up: the buyers' first answers (the JIT, each address's connection).
    await phase(base, sessions, stripe, false, Math.min(SECONDS, 10));
    const alone: Phase[] = [];
    const flooded: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      console.error(`round ${round + 1}: buyers alone …`);
      alone.push(await phase(base, sessions, stripe, false));
      console.error(`round ${round + 1}: buyers with the flood …`);
      flooded.push(await phase(base, sessions, stripe, true));
      await new Promise((r) => setTimeout(r, 3_000));
    }
    console.log(
      `landing page under a flood: ${BUYERS} fulfilled buyers polling ${POLL_RATE}/s in all, ${SECONDS} s a phase` +
        `${ROUNDS > 1 ? `, median of ${ROUNDS} rounds (phases interleaved)` : ''}; flood ${FLOOD_PER_MINUTE}/min of random ids from ` +
        `${FLOOD_ADDRESSES} addresses; Stripe answers in ${STRIPE_DELAY_MS} ms; API defaults (rate limit 60/min per address, TRUST_PROXY_HOPS 0); ` +
        `${cpus().length} CPUs; PostgreSQL ${database.embedded ? 'of its own (embedded)' : 'from BENCH_DATABASE_URL'}; ` +
        `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${loadAverage()} at the end\n`,
    );
    console.log(report(alone, flooded));
    console.log(`\ntarget: buyers' p99 with the flood ≤ 1.2× alone`);
    console.log(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    for (const agent of agents.values()) agent.destroy();
    await stack.stop();
    await closeAll(db, postmark, stripe, database);
  }
}

runMain(main);
