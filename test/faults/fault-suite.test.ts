import { ProcessStack, WEBHOOK_SECRET } from '../support/stack/process-stack';
import { record, runCase } from './support/run-case';
import { deliverLikeStripe } from './support/stripe-delivery';
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
/** Postmark's outage. The issue asks for 60 s; retries outlast about 3 minutes (see docs/RELIABILITY.md). */
const POSTMARK_OUTAGE_MS = 60_000;
/** Per case; a 2-core machine shared with other work drains a burst of 100 in 10 s to a minute. */
const CASE_TIMEOUT_MS = 6 * 60_000;

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
