import type { Toxic } from '../../../devstack/toxiproxy';
import type { Dependency, ProcessStack } from '../../support/stack/process-stack';
import { runCase, type CaseSpec } from './run-case';
import type { WebhookAnswer } from './stripe-delivery';
import type { Tally } from './tally';

/** One toxic (or a few at once) on one dependency's proxy for a while, with purchases arriving around it. */
export interface ToxicPhase {
  /** As the case's line names it, e.g. `answers 8 s late for 20 s`. */
  name: string;
  toxics: Toxic[];
  ms: number;
  /** Purchases accepted just before the toxic: their runs are in flight when it strikes. */
  before: number;
  /** Purchases that arrive as it strikes: the webhook's answers to them are timed. */
  during: number;
}

export interface GrayCaseSpec extends Pick<CaseSpec, 'name' | 'id' | 'buy' | 'settleMs'> {
  dependency: Dependency;
  /** Back to back; the case's recovery counts from the end of the last. */
  phases: ToxicPhase[];
}

/** What a phase looked like from outside: the Temporal UI's Retrying, and the webhook's answers to attempts sent during it. */
export interface PhaseFigures {
  name: string;
  /** Most runs seen `Running` with FulfillmentStatus `Retrying` at once (sampled every 2 s). */
  retryingMax: number;
  answers: number;
  /** Slowest answer (an unanswered attempt counts as the time the sender waited: 15 s). */
  answerMaxMs: number;
  /** Attempts that got no answer at all (the sender gave up after 15 s, or the connection failed). */
  unanswered: number;
  /** Attempts answered 503 (the API says a dependency is unavailable; Stripe retries). */
  unavailable: number;
}

export interface GrayResult {
  tally: Tally & { transactionTimeouts: number };
  phases: PhaseFigures[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs `Running` and `Retrying` right now, as the Temporal UI lists them. */
export async function retryingNow(stack: ProcessStack): Promise<number> {
  const query = `WorkflowType = 'fulfillCheckout' AND ExecutionStatus = 'Running' AND FulfillmentStatus = 'Retrying'`;
  return (await stack.temporalClient.workflow.count(query)).count;
}

/**
 * A gray failure of one dependency: its proxy's toxics switched on and off phase after phase,
 * purchases delivered as Stripe delivers them just before and as each phase strikes, every webhook
 * answer timed; then the toxics are gone and the case is counted as every fault case is
 * (runCase), its line carrying each phase's Retrying and slowest webhook answer.
 */
export async function runGrayCase(stack: ProcessStack, spec: GrayCaseSpec): Promise<GrayResult> {
  const toxiproxy = stack.toxiproxy;
  if (!toxiproxy) throw new Error('runGrayCase: the stack has no Toxiproxy (the `toxiproxy` option)');
  const answers: WebhookAnswer[] = [];
  const windows: Array<{ phase: ToxicPhase; from: number; to: number; retryingMax: number }> = [];
  const figures = (): PhaseFigures[] =>
    windows.map(({ phase, from, to, retryingMax }) => {
      const during = answers.filter((a) => a.sentAt >= from && a.sentAt < to);
      return {
        name: phase.name,
        retryingMax,
        answers: during.length,
        answerMaxMs: Math.max(0, ...during.map((a) => a.ms)),
        unanswered: during.filter((a) => a.status === null).length,
        unavailable: during.filter((a) => a.status === 503).length,
      };
    });
  const tally = await runCase(stack, {
    name: spec.name,
    id: spec.id,
    buy: spec.buy,
    settleMs: spec.settleMs,
    purchases: 0,
    onAnswer: (a) => answers.push(a),
    remarks: () =>
      figures().map(
        (f) =>
          `${f.name}: Retrying up to ${f.retryingMax}, webhook slowest ${s(f.answerMaxMs)} ` +
          `(${f.answers} answers, ${f.unavailable} × 503, ${f.unanswered} unanswered)`,
      ),
    fault: async (progress) => {
      for (const phase of spec.phases) {
        await progress.arrive(phase.before);
        const names = [];
        for (const toxic of phase.toxics) names.push(await toxiproxy.addToxic(spec.dependency, toxic));
        const window = { phase, from: Date.now(), to: Infinity, retryingMax: 0 };
        windows.push(window);
        void progress.arrive(phase.during);
        const until = window.from + phase.ms;
        while (Date.now() < until) {
          window.retryingMax = Math.max(window.retryingMax, await retryingNow(stack).catch(() => 0));
          await sleep(Math.min(2_000, Math.max(0, until - Date.now())));
        }
        for (const name of names) await toxiproxy.removeToxic(spec.dependency, name);
        window.to = Date.now();
      }
      return Date.now();
    },
  });
  return { tally, phases: figures() };
}
