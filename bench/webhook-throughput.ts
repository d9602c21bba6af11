/**
 * Benchmark: how fast the webhook answers Stripe, and how long a fulfillment takes end to end.
 *
 *   npm run bench                      # defaults: 30 one at a time, then 300 with 16 in flight
 *   BENCH_EVENTS=1000 BENCH_CONCURRENCY=32 npm run bench
 *
 * Starts its own Temporal dev server, a database (BENCH_DATABASE_URL, default
 * postgresql://postgres@127.0.0.1:5432/fulfillment_bench, recreated), a local Postmark,
 * one worker and the API listening on loopback; posts signed Sumo checkout events over HTTP.
 * Bounded: it sends BENCH_EVENTS requests and stops.
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { CatalogData } from '../src/catalog/catalog';
import { applyMigrations } from '../src/db/migrate';
import { startInProcessService } from '../test/support/in-process-service';
import { startLocalPostmark } from '../src/dev/local-postmark';
import { recreateDatabase } from '../test/support/recreate-database';
import { checkoutEvent, signPayload, sumoMetadata } from '../src/dev/sample-events';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server';
import { bundleWorkflowsFromSource } from '../test/support/workflow-bundle';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 30);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fulfillment_bench';
const SECRET = 'whsec_bench_only';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await recreateDatabase(DATABASE_URL, '_bench');
  await applyMigrations(DATABASE_URL);
  const temporal = await startTemporalDevServer({ uiPort: null });
  const postmark = await startLocalPostmark();
  const service = await startInProcessService({
    databaseUrl: DATABASE_URL,
    temporalAddress: temporal.address,
    taskQueue: 'bench',
    webhookSecret: SECRET,
    catalog: JSON.parse(readFileSync('config/catalog.json', 'utf8')) as CatalogData,
    stripeApiBase: 'http://127.0.0.1:9', // Sumo purchases never call Stripe
    postmarkUrl: postmark.url,
    dbPoolSize: 20,
    workflowBundle: await bundleWorkflowsFromSource(),
  });
  const { app, client } = service;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/webhooks/stripe`;

  const post = async (event: ReturnType<typeof checkoutEvent>) => {
    const body = JSON.stringify(event);
    const start = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(body, SECRET) },
      body,
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - start;
  };

  // 1. One purchase at a time: what a single buyer waits for (POST → welcome email sent).
  const quietAck: number[] = [];
  const quietEndToEnd: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    const start = performance.now();
    quietAck.push(await post(event));
    await client.workflow.getHandle(event.id).result();
    quietEndToEnd.push(performance.now() - start);
  }

  // 2. A burst: EVENTS deliveries with CONCURRENCY in flight, then wait until all are fulfilled.
  const events = Array.from({ length: EVENTS }, () => checkoutEvent({ metadata: sumoMetadata() }));
  const burstAck: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < events.length) burstAck.push(await post(events[next++]));
    }),
  );
  const ackSeconds = (performance.now() - t0) / 1000;
  await Promise.all(events.map((event) => client.workflow.getHandle(event.id).result()));
  const allSeconds = (performance.now() - t0) / 1000;

  console.log(`one at a time (${SEQUENTIAL} purchases, 1 worker):`);
  console.log(`  webhook ack                ${fmt(quietAck)}`);
  console.log(`  POST → welcome email sent  ${fmt(quietEndToEnd)}`);
  console.log(`burst (${EVENTS} purchases, ${CONCURRENCY} in flight, 1 worker):`);
  console.log(`  webhook ack                ${fmt(burstAck)}   ${(EVENTS / ackSeconds).toFixed(0)} req/s`);
  console.log(
    `  all fulfilled in ${allSeconds.toFixed(1)} s → ${(EVENTS / allSeconds).toFixed(1)} fulfillments/s; ${postmark.outbox.length} welcome emails`,
  );

  await service.close();
  await postmark.close();
  await temporal.stop();
  process.exit(0);
}

function fmt(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  return `p50 ${p(0.5)} ms  p95 ${p(0.95)} ms  p99 ${p(0.99)} ms  max ${s[s.length - 1].toFixed(1)} ms`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
