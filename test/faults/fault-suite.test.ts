import { RECONCILE_SCHEDULE_ID } from '../../src/temporal/reconcile-schedule';
import type { ReconcileReport } from '../../src/contracts';
import { startLocalStripeEvents } from '../support/local-stripe-events';
import { ProcessStack, WEBHOOK_SECRET } from '../support/stack/process-stack';
import { record, runCase } from './support/run-case';
import { deliverAll, deliverLikeStripe } from './support/stripe-delivery';
import { purchases, settle, type Tally } from './support/tally';

/**
 * The fault suite (`npm run test:faults`): bursts of signed purchases delivered as Stripe
 * delivers them (every unanswered or non-200 delivery again, with backoff) to the API and
 * worker running as their own processes, on a Temporal dev server, a PostgreSQL and a
 * Postmark stand-in the suite owns, while one part fails. Whatever fails, in the end every
 * purchase is fulfilled once: nothing lost, nothing done twice, nobody paged.
 * Cases share the stack and run in order; each prints one line of counts.
 */
const PURCHASES = 100;
/** Postmark's outage. The issue asks for 60 s; runs ride out much longer ones (Retrying, RETRY_WINDOW: docs/RELIABILITY.md). */
const POSTMARK_OUTAGE_MS = 60_000;
/** Per case; a 2-core machine shared with other work drains a burst of 100 in 10 s to a minute. */
const CASE_TIMEOUT_MS = 6 * 60_000;
/** A PostgreSQL outage longer than a round of retries (it used to hand every run in flight to a person). */
const POSTGRES_OUTAGE_MS = 6 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs of the suite's own events the Temporal UI shows as Retrying right now. */
async function retryingNow(): Promise<number> {
  let n = 0;
  const query = `WorkflowType = 'fulfillCheckout' AND ExecutionStatus = 'Running' AND FulfillmentStatus = 'Retrying'`;
  for await (const _ of stack.temporalClient.workflow.list({ query })) n++;
  return n;
}

/** Triggers the reconciliation Schedule now (rather than on the hour) and returns the run's report. */
async function reconcileNow(): Promise<ReconcileReport> {
  const before = new Set<string>();
  for await (const wf of stack.temporalClient.workflow.list({ query: `WorkflowType = 'reconcileStripeEvents'` })) before.add(wf.runId);
  await stack.temporalClient.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();
  const deadline = Date.now() + 120_000;
  for (;;) {
    for await (const wf of stack.temporalClient.workflow.list({ query: `WorkflowType = 'reconcileStripeEvents'` })) {
      if (!before.has(wf.runId)) return stack.temporalClient.workflow.getHandle(wf.workflowId, wf.runId).result();
    }
    if (Date.now() > deadline) throw new Error('the triggered reconciliation never started');
    await sleep(500);
  }
}

const stack = new ProcessStack({ postgres: 'owned', temporal: 'owned' });
beforeAll(() => stack.start(), 180_000);
afterAll(() => stack.stop(), 60_000);
afterEach(() => stack.postmark.reset());

const clean = (t: Tally & { transactionTimeouts?: number }) => ({
  acknowledged: t.acknowledged,
  fulfilled: t.fulfilled,
  lost: t.lost,
  duplicated: t.duplicated,
  needingOperator: t.needingOperator,
  transactionTimeouts: t.transactionTimeouts ?? 0,
});
const expectClean = (t: Tally & { transactionTimeouts?: number }, fulfilled = t.sent) =>
  expect(clean(t)).toEqual({ acknowledged: t.sent, fulfilled, lost: 0, duplicated: 0, needingOperator: 0, transactionTimeouts: 0 });

describe('the fault suite: 0 lost, 0 duplicated, 0 needing an operator', () => {
  it(
    'a worker SIGKILLed with purchases in flight and emails mid-send: a new worker finishes every one, no email twice',
    async () => {
      // Postmark answers slowly, so the kill finds emails between "accepted" and "recorded".
      stack.postmark.failAlways({ kind: 'slow', delayMs: 1_500 });
      const tally = await runCase(stack, {
        name: 'worker SIGKILL mid-burst, new worker',
        id: 'sigkill',
        purchases: PURCHASES,
        fault: async (progress) => {
          await progress.sending(5);
          const midSend = await progress.sendingNow();
          await stack.worker.stop('SIGKILL');
          progress.note(`${midSend} emails mid-send at the kill`);
          stack.postmark.failAlways(null);
          await stack.startWorker();
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'a worker SIGTERMed during a burst drains, and the next worker finishes the rest',
    async () => {
      const tally = await runCase(stack, {
        name: 'worker SIGTERM mid-burst, new worker',
        id: 'sigterm',
        purchases: PURCHASES,
        fault: async (progress) => {
          await progress.fulfilled(20);
          expect(await stack.worker.stop('SIGTERM')).toBe(0);
          await stack.startWorker();
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'the Temporal server stopped for 12 s and restarted on its database file: the 503s are redelivered and all is fulfilled',
    async () => {
      const tally = await runCase(stack, {
        name: 'Temporal stopped 12 s, restarted (same db file)',
        id: 'temporal',
        purchases: PURCHASES,
        fault: async (progress) => {
          await progress.fulfilled(10);
          await stack.restartTemporal(12_000);
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'PostgreSQL restarted during a burst: the API answers 503 meanwhile, activities retry, all is fulfilled',
    async () => {
      const tally = await runCase(stack, {
        name: 'PostgreSQL restarted (down 5 s)',
        id: 'postgres',
        purchases: PURCHASES,
        fault: async (progress) => {
          await progress.fulfilled(10);
          await stack.restartPostgres(5_000);
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    `Postmark answering 503 for ${POSTMARK_OUTAGE_MS / 1000} s: the emails go out after it, once each`,
    async () => {
      const tally = await runCase(stack, {
        name: `Postmark 503 for ${POSTMARK_OUTAGE_MS / 1000} s`,
        id: 'postmark503',
        purchases: PURCHASES,
        fault: async () => {
          await stack.postmark.failFor(POSTMARK_OUTAGE_MS, { kind: 'unavailable' });
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'Postmark accepting messages then resetting the connection: each is found in Postmark, none sent again',
    async () => {
      const broken = 40;
      stack.postmark.failNext(broken, { kind: 'accepted-then-reset' });
      const tally = await runCase(stack, {
        name: `Postmark accepts then resets (${broken} sends)`,
        id: 'reset',
        purchases: PURCHASES,
        fault: async () => {
          while (stack.postmark.requests.length < broken) await new Promise((r) => setTimeout(r, 100));
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'the API SIGKILLed mid-burst: every unanswered delivery is redelivered to the next API, nothing lost or doubled',
    async () => {
      const tally = await runCase(stack, {
        name: 'API SIGKILL mid-burst, redelivered',
        id: 'apikill',
        purchases: PURCHASES,
        fault: async (progress) => {
          await progress.fulfilled(10);
          await stack.api.stop('SIGKILL');
          await stack.startApi();
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'one event delivered 50 times at once: every delivery acknowledged, one run, one user, one email',
    async () => {
      const bought = purchases('fifty', 1);
      const startedAt = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => deliverLikeStripe(bought[0].event, { url: stack.apiUrl, secret: WEBHOOK_SECRET })),
      );
      const tally = record({
        ...(await settle(stack, 'one event delivered 50 times at once', bought, outcomes, { faultEndedAt: startedAt })),
        sent: outcomes.length,
      });
      expectClean(tally, 1);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    `PostgreSQL down for ${POSTGRES_OUTAGE_MS / 60_000} minutes while 100 purchases are in flight and 40 more arrive: the runs show Retrying and finish by themselves, nobody paged`,
    async () => {
      let retryingMax = 0;
      const tally = await runCase(stack, {
        name: `PostgreSQL down ${POSTGRES_OUTAGE_MS / 60_000} min, 100 in flight + 40 arriving`,
        id: 'pgdown',
        purchases: PURCHASES,
        // Stripe redelivers for three days; the 40 arriving during the outage are answered 503 until it ends.
        giveUpAfterMs: POSTGRES_OUTAGE_MS + 5 * 60_000,
        settleMs: 8 * 60_000,
        fault: async (progress) => {
          await progress.fulfilled(10);
          const outage = stack.restartPostgres(POSTGRES_OUTAGE_MS);
          await sleep(15_000);
          void progress.arrive(40);
          const watching = (async () => {
            const until = Date.now() + POSTGRES_OUTAGE_MS - 20_000;
            while (Date.now() < until) {
              retryingMax = Math.max(retryingMax, await retryingNow().catch(() => 0));
              await sleep(10_000);
            }
          })();
          await Promise.all([outage, watching]);
          progress.note(`up to ${retryingMax} runs showed Retrying during the outage`);
          return Date.now();
        },
      });
      expect(retryingMax).toBeGreaterThan(0);
      expect(tally.sent).toBe(PURCHASES + 40);
      expectClean(tally);
    },
    POSTGRES_OUTAGE_MS + 12 * 60_000,
  );

  it(
    'a webhook outage: the events Stripe never delivered come back through reconciliation, none lost, none run twice',
    async () => {
      const stripeEvents = await startLocalStripeEvents();
      try {
        // The worker reads Stripe's Events API from the stand-in; its Schedule is triggered by hand below.
        expect(await stack.worker.stop('SIGTERM')).toBe(0);
        await stack.startWorker({ STRIPE_API_BASE: stripeEvents.url, RECONCILE_EVERY: '1h', RECONCILE_LOOKBACK: '1h' });
        const bought = purchases('missed', 40);
        stripeEvents.add(...bought.map((p) => p.event));
        const [delivered, missed] = [bought.slice(0, 20), bought.slice(20)];
        const onTime = await deliverAll(
          delivered.map((p) => p.event),
          { url: stack.apiUrl, secret: WEBHOOK_SECRET },
        );
        await stack.api.stop('SIGKILL');
        // The endpoint is down and Stripe gives up on these (it would after three days).
        const never = await deliverAll(
          missed.map((p) => p.event),
          { url: stack.apiUrl, secret: WEBHOOK_SECRET, giveUpAfterMs: 1_000 },
        );
        expect(never.filter((o) => o.acknowledged)).toEqual([]);
        await stack.startApi();
        const faultEndedAt = Date.now();

        const first = await reconcileNow();
        const tally = await settle(stack, 'webhook down, 20 of 40 never delivered, reconciled', bought, [...onTime, ...never], {
          faultEndedAt,
        });
        const second = await reconcileNow();
        record({ ...tally, notes: [`first pass started ${first.startedCount}`, `second pass started ${second.startedCount}`] });

        expect(first).toMatchObject({ startedCount: 20, failed: [], generationFailures: [] });
        expect([...first.started].sort()).toEqual(missed.map((p) => p.event.id).sort());
        expect(second).toMatchObject({ startedCount: 0, started: [], failed: [] });
        expect(clean(tally)).toEqual({
          acknowledged: 20,
          fulfilled: 40,
          lost: 0,
          duplicated: 0,
          needingOperator: 0,
          transactionTimeouts: 0,
        });
        // Reconciliation counted no delivery.
        const rows = await stack.db.stripeEvent.findMany({ where: { id: { in: bought.map((p) => p.event.id) } } });
        expect(
          rows
            .filter((r) => r.deliveries === 0)
            .map((r) => r.id)
            .sort(),
        ).toEqual(missed.map((p) => p.event.id).sort());
      } finally {
        await stack.worker.stop('SIGTERM');
        await stack.startWorker();
        await stripeEvents.close();
      }
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'Postmark answering 429 for a minute: the emails go out after it, once each',
    async () => {
      const tally = await runCase(stack, {
        name: 'Postmark 429 for 60 s',
        id: 'postmark429',
        purchases: 40,
        fault: async () => {
          await stack.postmark.failFor(60_000, { kind: 'rate-limit' });
          return Date.now();
        },
      });
      expectClean(tally);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'a burst of 500 purchases: no transaction times out, all fulfilled',
    async () => {
      const tally = await runCase(stack, {
        name: 'burst of 500, no fault',
        id: 'burst',
        purchases: 500,
        concurrency: 32,
        settleMs: 600_000,
      });
      expectClean(tally);
    },
    2 * CASE_TIMEOUT_MS,
  );
});
