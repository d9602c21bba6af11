import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Toxic } from '../../devstack/toxiproxy';
import { fromRoot } from '../support/paths';
import { startLocalStripeEvents, type LocalStripeEvents } from '../support/local-stripe-events';
import { ProcessStack } from '../support/stack/process-stack';
import { runGrayCase, type GrayResult, type ToxicPhase } from './support/gray-case';
import { runSlowPostmarkLaunch } from './support/gray-launch';
import { record } from './support/run-case';
import { directPurchases, expectNothingLost } from './support/tally';

/**
 * Gray failures: dependencies that are slow, silent or rude rather than down. A Toxiproxy proxy
 * stands between the service's processes and each dependency — PostgreSQL, the Temporal frontend,
 * Stripe's API (a local stand-in whose line items give the direct purchases their tier), Postmark —
 * and each case puts one dependency through four toxics back to back: answers later than its
 * client waits, a black hole, a thin and sliced pipe, connections reset. Purchases are accepted
 * just before each toxic and arrive as it strikes, delivered as Stripe delivers them. Then a
 * launch with Postmark slow in the middle. However slow it gets, every purchase is fulfilled
 * once, nobody is paged, a step that is retried shows Retrying meanwhile, and the webhook answers
 * (a fast 503 is an answer, a hang is not) within Stripe's own 10 s.
 */

/** Stripe gives up on a webhook attempt after about 10 s. */
const WEBHOOK_ANSWER_MS = 10_000;
/**
 * Attempts per round (ACTIVITY_MAX_ATTEMPTS; the service's default is 5). A timed-out Stripe call
 * holds an attempt for its 30 s start-to-close, so a round of the default 5 lasts 2.5 minutes
 * before the run shows Retrying; 2 keeps the suite's toxics at tens of seconds.
 */
const ATTEMPTS_PER_ROUND = '2';
/**
 * Per phase: accepted just before the toxic (in flight when it strikes), and arriving as it does.
 * Few enough that a round of their attempts fits the worker's 8 step slots at once.
 */
const BEFORE = 5;
const DURING = 5;
const CASE_TIMEOUT_MS = 8 * 60_000;

const blackHole: Toxic[] = [
  { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } },
  { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } },
];
const thinAndSliced: Toxic[] = [
  { type: 'bandwidth', attributes: { rate: 4 } },
  { type: 'slicer', attributes: { average_size: 32, size_variation: 16, delay: 2_000 } },
];
const resetPeer: Toxic[] = [{ type: 'reset_peer', attributes: { timeout: 0 } }];

/** The four toxics, each for its time: `latencyMs` is past the dependency's client timeout. */
function phases(latencyMs: number, ms: { latency: number; blackHole: number; thin: number; reset: number }): ToxicPhase[] {
  const late: Toxic[] = [{ type: 'latency', attributes: { latency: latencyMs } }];
  const phase = (name: string, toxics: Toxic[], phaseMs: number): ToxicPhase => ({
    name,
    toxics,
    ms: phaseMs,
    before: BEFORE,
    during: DURING,
  });
  return [
    phase(`answers ${latencyMs / 1000} s late for ${ms.latency / 1000} s`, late, ms.latency),
    phase(`black hole for ${ms.blackHole / 1000} s`, blackHole, ms.blackHole),
    phase(`4 KB/s, sliced, for ${ms.thin / 1000} s`, thinAndSliced, ms.thin),
    phase(`connections reset for ${ms.reset / 1000} s`, resetPeer, ms.reset),
  ];
}

let stripe: LocalStripeEvents;
let stack: ProcessStack;
beforeAll(async () => {
  stripe = await startLocalStripeEvents();
  stack = new ProcessStack({
    postgres: 'owned',
    temporal: 'owned',
    stripeApiBase: stripe.url,
    toxiproxy: true,
    env: { ACTIVITY_MAX_ATTEMPTS: ATTEMPTS_PER_ROUND },
    keepChars: 8_000_000,
  });
  await stack.start();
}, 180_000);
afterAll(async () => {
  // The processes' logs, for whoever reads a failure.
  const dir = fromRoot('test-artifacts/gray-failures');
  mkdirSync(dir, { recursive: true });
  for (const [i, p] of [...(stack?.apis ?? []), ...(stack?.workers ?? [])].entries())
    writeFileSync(join(dir, `${i}-${p.label}.log`), p.output());
  await stack?.stop();
  await stripe?.close();
}, 60_000);
afterEach(async () => {
  await stack.toxiproxy?.reset();
  stack.postmark.reset();
});

/** 0 lost, 0 duplicated, 0 needing an operator; every webhook attempt made during a toxic answered within Stripe's timeout. */
function expectClean(r: GrayResult): void {
  expectNothingLost(r.tally);
  expect(r.phases.map((p) => ({ phase: p.name, unanswered: p.unanswered, answeredInTime: p.answerMaxMs <= WEBHOOK_ANSWER_MS }))).toEqual(
    r.phases.map((p) => ({ phase: p.name, unanswered: 0, answeredInTime: true })),
  );
}

/**
 * Runs showed Retrying during the black hole and while connections were reset: phases where every
 * attempt fails and which outlast a round. (Answers later than the client waits fail every attempt
 * too, but a round of them can outlast the phase; a thin pipe is slow, not failing.)
 */
/** Clean (expectClean), Retrying while every attempt failed, and no transaction timed out. */
function expectRiddenOut(r: GrayResult): void {
  expectClean(r);
  expectRetryingWhileFailing(r);
  expect(r.tally.transactionTimeouts).toBe(0);
}

function expectRetryingWhileFailing(r: GrayResult): void {
  const [, hole, , reset] = r.phases;
  expect({ [hole.name]: hole.retryingMax > 0, [reset.name]: reset.retryingMax > 0 }).toEqual({ [hole.name]: true, [reset.name]: true });
}

describe('gray failures: slow, silent and rude dependencies lose nothing, send nothing twice, page nobody', () => {
  it(
    'PostgreSQL answering after the pool gave up, black-holed, thin and sliced, resetting: steps show Retrying, the webhook answers 503 fast',
    async () => {
      // The pools give up after 3 s connecting, 6 s on a statement (src/db/prisma.ts).
      const r = await runGrayCase(stack, {
        name: 'PostgreSQL gray',
        id: 'graypg',
        dependency: 'postgres',
        phases: phases(8_000, { latency: 20_000, blackHole: 20_000, thin: 10_000, reset: 10_000 }),
      });
      expectClean(r);
      expectRetryingWhileFailing(r);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'the Temporal frontend answering after the API gave up, black-holed, thin and sliced, resetting: the webhook answers 503 fast, the runs go on after',
    async () => {
      // The API gives a workflow start 5 s (src/temporal/start-fulfillment.ts). No step talks to
      // Temporal, so no run shows Retrying: the worker's SDK retries its polls and task completions.
      const r = await runGrayCase(stack, {
        name: 'Temporal frontend gray',
        id: 'graytemporal',
        dependency: 'temporal',
        phases: phases(8_000, { latency: 15_000, blackHole: 15_000, thin: 10_000, reset: 10_000 }),
      });
      expectClean(r);
      expect(r.tally.transactionTimeouts).toBe(0);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    "Stripe's API answering after its client gave up, black-holed, thin and sliced, resetting: direct purchases read their tier once it answers, Retrying meanwhile",
    async () => {
      // The Stripe client waits 8 s a try, 3 tries (src/clients/stripe.ts), within the step's 30 s
      // start-to-close: a round of 2 failed attempts lasts about a minute, the black hole longer.
      const r = await runGrayCase(stack, {
        name: 'Stripe gray (direct purchases, tier from line items)',
        id: 'graystripe',
        dependency: 'stripe',
        buy: (id, n) => directPurchases(stripe, id, n),
        phases: phases(12_000, { latency: 15_000, blackHole: 70_000, thin: 10_000, reset: 10_000 }),
      });
      expectRiddenOut(r);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'Postmark answering after its client gave up, black-holed, thin and sliced, resetting: one welcome each, Retrying meanwhile',
    async () => {
      // The Postmark client waits 10 s (src/clients/postmark.ts).
      const r = await runGrayCase(stack, {
        name: 'Postmark gray',
        id: 'graypostmark',
        dependency: 'postmark',
        phases: phases(12_000, { latency: 20_000, blackHole: 30_000, thin: 10_000, reset: 10_000 }),
      });
      expectRiddenOut(r);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'a launch of 2,000 purchases with Postmark answering after its client gave up for two minutes in the middle: every buyer gets access, and exactly one welcome',
    async () => {
      const r = await runSlowPostmarkLaunch(stack, {
        id: 'graylaunch',
        purchases: 2_000,
        slowAfter: 1_000,
        slowMs: 120_000,
        latencyMs: 12_000,
        settleMs: 12 * 60_000,
      });
      const ms = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : 'never');
      record({
        ...r.tally,
        notes: [
          `POST → access p50 ${ms(r.access.p50)} / p99 ${ms(r.access.p99)} / max ${ms(r.access.max)}`,
          `posted while Postmark was slow (${r.accessPostedWhileSlow.n}): p50 ${ms(r.accessPostedWhileSlow.p50)} / p99 ${ms(r.accessPostedWhileSlow.p99)}`,
          `POST → welcome p50 ${ms(r.email.p50)} / p99 ${ms(r.email.p99)}`,
          `${r.emailsBeforeLastAccess} welcomes out when the last buyer got access`,
          `access given ${r.accessPerSecond.whileSlow.toFixed(1)}/s while Postmark was slow, ${r.accessPerSecond.before.toFixed(1)}/s before it`,
        ],
      });
      expectNothingLost(r.tally, 2_000);
    },
    20 * 60_000,
  );
});
