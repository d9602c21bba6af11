/**
 * Benchmark: what a burst of landing-page polls does to the webhook's answer.
 *
 *   npm run bench:landing     # builds dist/, then the two runs below, on one service stack
 *
 * The service as production runs it (compiled API and worker, a Temporal dev server,
 * PostgreSQL at BENCH_DATABASE_URL, recreated, or `embedded`: one of its own; a local Postmark answering in 150 ms; the API's
 * Stripe is a local stand-in holding every session and event, so a poll that arrives before the
 * webhook takes the look-up path). Two runs of BENCH_RATE purchases a second for
 * BENCH_RATE_SECONDS: first the webhook alone, then each purchase's landing page opening
 * BENCH_POLLS long polls (`?wait=15`) within a second of its webhook. Reported: the webhook's
 * answer (p50/p95) in each, as a ratio, and how long after its fulfillment a waiting poll heard.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { startEmbeddedPostgres } from '../devstack/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { startLocalPostmark } from '../devstack/local-postmark';
import { recreateDatabase } from '../test/support/recreate-database';
import { startLocalStripeEvents } from '../test/support/local-stripe-events';
import { Client } from 'pg';
import { post, purchase, quantile, type Delivery } from './load';
import { startServiceStack } from './stack';

const env = process.env;
/** `embedded`: a PostgreSQL of the bench's own (when the shared server's connections are taken). */
const DATABASE = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fulfillment_bench';
const SECRET = 'whsec_bench_only';
const RATE = Number(env.BENCH_RATE ?? 10);
const SECONDS = Number(env.BENCH_RATE_SECONDS ?? 10);
const POLLS = Number(env.BENCH_POLLS ?? 5);

interface Poll {
  sessionId: string;
  answeredAt: number;
  status: string;
}

async function run(url: string, stripe: Awaited<ReturnType<typeof startLocalStripeEvents>>, polls: number) {
  const apiBase = url.replace(/\/webhooks\/stripe$/, '');
  const t0 = performance.now();
  // Settled, not thrown: a refused delivery must not end the bench before its stack is stopped.
  const deliveries: Promise<Delivery | Error>[] = [];
  const answers: Promise<Poll>[] = [];
  for (let i = 0; i < RATE * SECONDS; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = purchase();
    const session = p.event.data.object as Stripe.Checkout.Session;
    stripe.addSession(session);
    stripe.add(p.event);
    deliveries.push(post(url, SECRET, p).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
    for (let k = 0; k < polls; k++) answers.push(poll(apiBase, session.id, Math.random() * 1000));
  }
  const settled = await Promise.all(deliveries);
  const failed = settled.filter((d): d is Error => d instanceof Error);
  if (failed.length > 0) throw new Error(`${failed.length} webhook deliveries failed, e.g. ${failed[0].message}`);
  return { deliveries: settled as Delivery[], polls: await Promise.all(answers) };
}

async function poll(apiBase: string, sessionId: string, afterMs: number): Promise<Poll> {
  await new Promise((r) => setTimeout(r, afterMs));
  try {
    const res = await fetch(`${apiBase}/checkout/sessions/${sessionId}?wait=15`);
    const body = (await res.json()) as { status?: string; error?: string };
    return { sessionId, answeredAt: Date.now(), status: body.status ?? `HTTP ${res.status} ${body.error}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { sessionId, answeredAt: Date.now(), status: `failed (${cause?.code ?? String(err)})` };
  }
}

async function provideDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (DATABASE !== 'embedded') return { url: DATABASE, stop: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-postgres-'));
  const server = await startEmbeddedPostgres({ dataDir, persistent: false });
  const url = new URL(server.url);
  url.pathname = '/fulfillment_bench';
  return { url: url.toString(), stop: () => server.stop().then(() => rm(dataDir, { recursive: true, force: true })) };
}

async function main(): Promise<void> {
  const database = await provideDatabase();
  const DATABASE_URL = database.url;
  await recreateDatabase(DATABASE_URL, '_bench');
  await applyMigrations(DATABASE_URL);
  const [postmark, stripe] = await Promise.all([startLocalPostmark(), startLocalStripeEvents()]);
  postmark.failAlways({ kind: 'slow', delayMs: 150 });
  const stack = await startServiceStack('service', {
    databaseUrl: DATABASE_URL,
    postmark,
    secret: SECRET,
    apiEnv: { STRIPE_SECRET_KEY: 'sk_test_bench', STRIPE_API_BASE: stripe.url, CHECKOUT_STATUS_RATE_LIMIT: '1000000' },
  });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await run(stack.url, stripe, 0); // warm-up
    const alone = await run(stack.url, stripe, 0);
    const withPolls = await run(stack.url, stripe, POLLS);
    const ids = withPolls.deliveries.map((d) => d.event.id);
    const { rows } = await db.query<{ id: string; completed_at: Date | null; deliveries: number }>(
      'SELECT id, completed_at, deliveries FROM stripe_events WHERE id = ANY($1)',
      [ids],
    );
    const completedAt = new Map(
      withPolls.deliveries.map((d) => [(d.event.data.object as { id: string }).id, rows.find((r) => r.id === d.event.id)?.completed_at]),
    );
    const heard = withPolls.polls
      .filter((p) => p.status === 'fulfilled')
      .map((p) => p.answeredAt - (completedAt.get(p.sessionId)?.getTime() ?? p.answeredAt))
      .filter((ms) => ms >= 0);
    const ack = (ds: Delivery[]) => ds.map((d) => d.ackMs);
    const statuses = withPolls.polls.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.status]: (acc[p.status] ?? 0) + 1 }), {});
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    const lines = [
      `landing-page polls: ${RATE}/s purchases for ${SECONDS} s; ${POLLS} long polls (?wait=15) per purchase in the second run`,
      `webhook answer, alone:      p50 ${fmt(quantile(ack(alone.deliveries), 0.5))}  p95 ${fmt(quantile(ack(alone.deliveries), 0.95))}`,
      `webhook answer, with polls: p50 ${fmt(quantile(ack(withPolls.deliveries), 0.5))}  p95 ${fmt(quantile(ack(withPolls.deliveries), 0.95))}`,
      `ratio (with / alone):       p50 ${(quantile(ack(withPolls.deliveries), 0.5) / quantile(ack(alone.deliveries), 0.5)).toFixed(2)}  p95 ${(quantile(ack(withPolls.deliveries), 0.95) / quantile(ack(alone.deliveries), 0.95)).toFixed(2)}`,
      `polls: ${withPolls.polls.length} (${Object.entries(statuses)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}); heard the fulfillment p50 ${fmt(quantile(heard, 0.5))}, p95 ${fmt(quantile(heard, 0.95))} after it`,
      `fulfillments: ${rows.filter((r) => r.completed_at).length}/${ids.length} completed, each once (deliveries per event: max ${Math.max(...rows.map((r) => r.deliveries))})`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await db.end();
    await stack.stop();
    await Promise.allSettled([postmark.close(), stripe.close()]);
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
