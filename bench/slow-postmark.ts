/**
 * Benchmark: does a buyer's access wait behind welcome emails when Postmark is slow?
 *
 *   npm run bench:slow-postmark     # builds dist/, then the two cases below, each on a fresh service stack
 *
 * The service as `npm run bench` runs it (bench/stack.ts: compiled API and worker, a Temporal dev
 * server, PostgreSQL at BENCH_DATABASE_URL, default …/slow_postmark_bench, recreated, or `embedded`),
 * with payloads encrypted and a local Stripe holding the direct purchases' line items. Each case: a
 * warm-up of BENCH_WARMUP purchases with Postmark at 150 ms, then a burst of BENCH_EVENTS purchases
 * (BENCH_DIRECT of them direct, spread through the Sumo ones) at BENCH_IN_FLIGHT open, while the local
 * Postmark answers every send after BENCH_POSTMARK_DELAY_MS (the fast case, 150) or
 * BENCH_SLOW_POSTMARK_MS (the slow case, 6,000: well inside the client's timeout). BENCH_ROUNDS runs
 * the cases that many times, interleaved (fast, slow, fast, slow …), and reports each figure's median.
 *
 * POST → access: from the POST's first send to the buyer's first row in `entitlements`, by the
 * row's own `granted_at` (PostgreSQL's clock, the machine's; it is the granting transaction's start,
 * so it reads a few milliseconds early against its commit). POST → welcome: to when the local
 * Postmark accepted the welcome email. Target: slow ÷ fast of POST → access ≤ 1.5×.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Client } from 'pg';
import type Stripe from 'stripe';
import { startLocalPostmark } from '../devstack/local-postmark';
import { checkoutEvent } from '../devstack/sample-events';
import { startLocalStripeEvents, type LocalStripeEvents } from '../test/support/local-stripe-events';
import { benchDatabase } from './bench-database';
import { burstOf, purchase, quantile, type Delivery } from './load';
import { fulfilled } from './measure';
import { startServiceStack, type StackEnv } from './stack';
import { closeAll, loadAverage, runMain } from './run-main';

const env = process.env;
const SECRET = 'whsec_bench_only';
const EVENTS = Number(env.BENCH_EVENTS ?? 200);
const DIRECT = Math.min(EVENTS, Number(env.BENCH_DIRECT ?? 10));
const IN_FLIGHT = Number(env.BENCH_IN_FLIGHT ?? 32);
const WARMUP = Number(env.BENCH_WARMUP ?? 20);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 1);
const CASES = { fast: Number(env.BENCH_POSTMARK_DELAY_MS ?? 150), slow: Number(env.BENCH_SLOW_POSTMARK_MS ?? 6_000) };

type Case = keyof typeof CASES;

/** One case's figures (ms unless named otherwise). */
interface CaseResult {
  accessP50: number;
  accessP99: number;
  directAccessP50: number;
  directAccessP99: number;
  welcomeP50: number;
  welcomeP99: number;
  ackP99: number;
  /** From the first POST to the last buyer's access (s). */
  lastAccessSeconds: number;
  /** Welcome emails Postmark had accepted when the last buyer got access. */
  emailsBeforeLastAccess: number;
  purchases: number;
  withAccess: number;
  emails: number;
  duplicateEmails: number;
  unavailable: number;
}

/** A direct purchase of one `pro` licence by a new buyer; its line item is in the local Stripe (the worker reads it). */
function directPurchase(stripe: LocalStripeEvents): { event: Stripe.Event; email: string } {
  const event = checkoutEvent({ metadata: { tier_id: 'pro' } });
  const session = event.data.object as Stripe.Checkout.Session;
  stripe.setLineItems(session.id, [{ priceId: 'price_pro_monthly', quantity: 1 }]);
  return { event, email: session.customer_details!.email! };
}

/** `count` purchases, `direct` of them direct, spread evenly through the Sumo ones. */
function mix(stripe: LocalStripeEvents, count: number, direct: number): { event: Stripe.Event; email: string }[] {
  const every = direct > 0 ? count / direct : Infinity;
  return Array.from({ length: count }, (_, i) =>
    Math.floor((i + 1) / every) > Math.floor(i / every) ? directPurchase(stripe) : purchase(),
  );
}

/** Each buyer's first entitlement, by email: epoch ms of its granted_at (a timestamp without time zone, in the server's zone). */
async function firstGrants(db: Client, emails: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ email: string; at: number }>(
    `SELECT u.email, (extract(epoch FROM min(e.granted_at)::timestamptz) * 1000)::float8 AS at
       FROM users u JOIN entitlements e ON e.user_id = u.id WHERE u.email = ANY($1) GROUP BY u.email`,
    [emails],
  );
  return new Map(rows.map((r) => [r.email, r.at]));
}

async function runCase(which: Case, stackEnv: StackEnv, db: Client, stripe: LocalStripeEvents): Promise<CaseResult> {
  const { postmark } = stackEnv;
  const stack = await startServiceStack(`Postmark ${CASES[which]} ms`, stackEnv);
  try {
    console.error(`measuring ${stack.name} …`);
    postmark.failAlways({ kind: 'slow', delayMs: CASES.fast });
    const warm = await burstOf(stack.url, SECRET, mix(stripe, WARMUP, Math.ceil((WARMUP * DIRECT) / Math.max(1, EVENTS))), 4);
    await fulfilled(stack, db, postmark, warm, performance.now());

    postmark.failAlways({ kind: 'slow', delayMs: CASES[which] });
    const deliveries = await burstOf(stack.url, SECRET, mix(stripe, EVENTS, DIRECT), IN_FLIGHT).catch((err: unknown) => {
      for (const p of stack.processes) console.error(`--- ${p.label}:\n${p.output().slice(-3000)}`);
      throw err;
    });
    await fulfilled(stack, db, postmark, deliveries, performance.now());
    return await figures(deliveries, db, stackEnv);
  } finally {
    postmark.failAlways(null);
    await stack.stop();
  }
}

async function figures(deliveries: Delivery[], db: Client, { postmark }: StackEnv): Promise<CaseResult> {
  const emails = new Set(deliveries.map((d) => d.email));
  const granted = await firstGrants(db, [...emails]);
  const mine = postmark.outbox.filter((m) => emails.has(m.to));
  const welcomedAt = new Map<string, number>();
  for (const m of mine) if (!welcomedAt.has(m.to)) welcomedAt.set(m.to, Date.parse(m.submittedAt));
  const direct = deliveries.filter((d) => (d.event.data.object as Stripe.Checkout.Session).metadata?.tier_id === 'pro');
  const access = (ds: Delivery[]) => ds.map((d) => (granted.get(d.email) ?? Infinity) - d.postedAt);
  const welcome = deliveries.map((d) => (welcomedAt.get(d.email) ?? Infinity) - d.postedAt);
  const lastAccess = Math.max(...granted.values());
  return {
    accessP50: quantile(access(deliveries), 0.5),
    accessP99: quantile(access(deliveries), 0.99),
    directAccessP50: quantile(access(direct), 0.5),
    directAccessP99: quantile(access(direct), 0.99),
    welcomeP50: quantile(welcome, 0.5),
    welcomeP99: quantile(welcome, 0.99),
    ackP99: quantile(
      deliveries.map((d) => d.ackMs),
      0.99,
    ),
    lastAccessSeconds: (lastAccess - Math.min(...deliveries.map((d) => d.postedAt))) / 1000,
    emailsBeforeLastAccess: [...welcomedAt.values()].filter((at) => at <= lastAccess).length,
    purchases: deliveries.length,
    withAccess: granted.size,
    emails: mine.length,
    duplicateEmails: mine.length - welcomedAt.size,
    unavailable: deliveries.reduce((n, d) => n + d.unavailable, 0),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const COUNTS = ['purchases', 'withAccess', 'emails', 'duplicateEmails', 'unavailable'] as const;

/** Each figure's median over the rounds; counts summed, so one round's lost or duplicated email shows. */
function combine(runs: CaseResult[]): CaseResult {
  const keys = Object.keys(runs[0]) as (keyof CaseResult)[];
  return Object.fromEntries(
    keys.map((k) => [k, (COUNTS as readonly string[]).includes(k) ? runs.reduce((n, r) => n + r[k], 0) : median(runs.map((r) => r[k]))]),
  ) as unknown as CaseResult;
}

function report(fast: CaseResult, slow: CaseResult): string {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'never');
  const pair = (a: number, b: number) => `${ms(a)} / ${ms(b)}`;
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
  const head = ['', `Postmark ${CASES.fast} ms`, `Postmark ${CASES.slow} ms`, 'slow ÷ fast'];
  const rows: string[][] = [
    [
      'POST → access p50 / p99 (ms)',
      pair(fast.accessP50, fast.accessP99),
      pair(slow.accessP50, slow.accessP99),
      `${ratio(slow.accessP50, fast.accessP50)} / ${ratio(slow.accessP99, fast.accessP99)}`,
    ],
    [
      `– direct buyers (${DIRECT}) p50 / p99 (ms)`,
      pair(fast.directAccessP50, fast.directAccessP99),
      pair(slow.directAccessP50, slow.directAccessP99),
      `${ratio(slow.directAccessP50, fast.directAccessP50)} / ${ratio(slow.directAccessP99, fast.directAccessP99)}`,
    ],
    [
      'POST → welcome email p50 / p99 (ms)',
      pair(fast.welcomeP50, fast.welcomeP99),
      pair(slow.welcomeP50, slow.welcomeP99),
      `${ratio(slow.welcomeP50, fast.welcomeP50)} / ${ratio(slow.welcomeP99, fast.welcomeP99)}`,
    ],
    ['webhook answer p99 (ms)', ms(fast.ackP99), ms(slow.ackP99), ratio(slow.ackP99, fast.ackP99)],
    [
      'first POST → last buyer’s access (s)',
      fast.lastAccessSeconds.toFixed(1),
      slow.lastAccessSeconds.toFixed(1),
      ratio(slow.lastAccessSeconds, fast.lastAccessSeconds),
    ],
    ['welcome emails out when the last buyer got access', String(fast.emailsBeforeLastAccess), String(slow.emailsBeforeLastAccess), ''],
  ];
  const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  const checks = (name: string, r: CaseResult) =>
    `Postmark ${name}: ${r.purchases} purchases, ${r.withAccess} with access, ${r.emails} welcome emails, ${r.duplicateEmails} duplicates, ${r.unavailable} answers 503 (retried)`;
  return [...table, '', checks(`${CASES.fast} ms`, fast), checks(`${CASES.slow} ms`, slow)].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadAverage();
  const database = await benchDatabase('postgresql://postgres@127.0.0.1:5432/slow_postmark_bench');
  const [postmark, stripe] = await Promise.all([startLocalPostmark(), startLocalStripeEvents()]);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const stackEnv: StackEnv = {
      databaseUrl: database.url,
      postmark,
      secret: SECRET,
      // Production encrypts payloads (docs/SECURITY.md); a fresh key per run, as `npm run bench`.
      payloadKeys: `bench:${randomBytes(32).toString('base64')}`,
      // The direct purchases' line items (Sumo purchases never call Stripe).
      workerEnv: { STRIPE_API_BASE: stripe.url },
    };
    const runs: Record<Case, CaseResult[]> = { fast: [], slow: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const which of ['fast', 'slow'] as const) runs[which].push(await runCase(which, stackEnv, db, stripe));

    console.log(
      `slow Postmark: ${ROUNDS > 1 ? `median of ${ROUNDS} rounds, cases interleaved; ` : ''}${EVENTS} purchases (${EVENTS - DIRECT} Sumo, ${DIRECT} direct) at ${IN_FLIGHT} in flight ` +
        `after a warm-up of ${WARMUP}; Postmark answers every send in ${CASES.fast} ms, then ${CASES.slow} ms; ${cpus().length} CPUs; ` +
        `PostgreSQL ${database.embedded ? 'of its own (embedded)' : 'from BENCH_DATABASE_URL'}; ` +
        `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${loadAverage()} at the end\n`,
    );
    console.log(report(combine(runs.fast), combine(runs.slow)));
    console.log(`\ntarget: POST → access, slow ÷ fast ≤ 1.5×`);
    console.log(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await closeAll(db, postmark, stripe, database);
  }
}

runMain(main);
