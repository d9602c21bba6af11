import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../support/paths';
import { WEBHOOK_SECRET, type ProcessStack } from '../../support/stack/process-stack';
import { deliverAll, type DeliveryOptions, type DeliveryOutcome } from './stripe-delivery';
import { describeTally, purchases, settle, type Purchase, type Tally } from './tally';

/** Each run's lines, one JSON object per case, for docs/RELIABILITY.md. */
export const RESULTS_FILE = join(fromRoot('test-artifacts'), 'faults.jsonl');

export interface CaseSpec {
  name: string;
  /** Short id, used in the buyers' addresses. */
  id: string;
  purchases: number;
  concurrency?: number;
  /** How long the case may take to settle after its deliveries (default 4 minutes). */
  settleMs?: number;
  /** How long Stripe goes on redelivering one event (default 3 minutes; Stripe itself: three days). */
  giveUpAfterMs?: number;
  /** The purchases of `n` new buyers (default: Sumo purchases, which never call Stripe). */
  buy?: (caseId: string, n: number) => Purchase[];
  /** Told of every delivery attempt (stripe-delivery.ts). */
  onAnswer?: DeliveryOptions['onAnswer'];
  /** Remarks for the case's line, read once every delivery has ended and the case is counted. */
  remarks?: () => string[];
  /**
   * Injects the fault while the burst is delivered; resolves with the moment the fault was
   * over (a server back, a new worker polling). Omitted: no fault, recovery counted from the start.
   */
  fault?: (progress: Progress) => Promise<number>;
}

/** What the fault may wait for before it strikes. */
export interface Progress {
  bought: Purchase[];
  /** Resolves once `n` of the case's purchases are fulfilled. */
  fulfilled(n: number): Promise<void>;
  /** Resolves once `n` of the case's welcome emails are being sent (claimed, not yet recorded). */
  sending(n: number): Promise<void>;
  /** How many of the case's welcome emails are being sent right now. */
  sendingNow(): Promise<number>;
  /** Adds a remark to the case's printed line. */
  note(text: string): void;
  /** `n` more purchases that arrive now (delivered like Stripe, counted with the case's); resolves once their deliveries ended. */
  arrive(n: number): Promise<DeliveryOutcome[]>;
}

/** Delivers a burst, strikes, waits for the dust to settle, prints and records the case's counts. */
export async function runCase(stack: ProcessStack, spec: CaseSpec): Promise<Tally & { transactionTimeouts: number }> {
  const buy = spec.buy ?? purchases;
  const bought = buy(spec.id, spec.purchases);
  const ids = bought.map((p) => p.event.id);
  const startedAt = Date.now();
  const timeoutsBefore = stack.transactionTimeouts();
  const poll = async (read: () => Promise<number>, n: number) => {
    const deadline = Date.now() + 180_000;
    while ((await read().catch(() => 0)) < n) {
      if (Date.now() > deadline) throw new Error(`${spec.name}: the moment to strike never came (waited for ${n})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const notes: string[] = [];
  const late: Array<{ bought: Purchase[]; outcomes: Promise<DeliveryOutcome[]> }> = [];
  const delivery = {
    url: stack.apiUrl,
    secret: WEBHOOK_SECRET,
    concurrency: spec.concurrency,
    giveUpAfterMs: spec.giveUpAfterMs,
    onAnswer: spec.onAnswer,
  };
  const sendingNow = () => stack.db.emailDelivery.count({ where: { eventId: { in: ids }, status: 'sending' } });
  const progress: Progress = {
    bought,
    fulfilled: (n) => poll(() => stack.db.stripeEvent.count({ where: { id: { in: ids }, status: 'completed' } }), n),
    sending: (n) => poll(sendingNow, n),
    sendingNow,
    note: (text) => notes.push(text),
    arrive: (n) => {
      const more = buy(`${spec.id}late`, n);
      ids.push(...more.map((p) => p.event.id));
      const outcomes = deliverAll(
        more.map((p) => p.event),
        delivery,
      );
      late.push({ bought: more, outcomes });
      return outcomes;
    },
  };
  const [onTime, faultEndedAt] = await Promise.all([
    deliverAll(
      bought.map((p) => p.event),
      delivery,
    ),
    spec.fault ? spec.fault(progress) : Promise.resolve(startedAt),
  ]);
  const outcomes = [...onTime, ...(await Promise.all(late.map((l) => l.outcomes))).flat()];
  const all = [...bought, ...late.flatMap((l) => l.bought)];
  const tally = await settle(stack, spec.name, all, outcomes, { faultEndedAt, timeoutMs: spec.settleMs });
  notes.push(...(spec.remarks?.() ?? []));
  return record({ ...tally, transactionTimeouts: stack.transactionTimeouts() - timeoutsBefore, notes });
}

export function record<T extends Tally>(tally: T & { transactionTimeouts?: number; notes?: string[] }): T {
  const extra = [`; ${tally.transactionTimeouts ?? 0} transaction timeouts`, ...(tally.notes ?? []).map((n) => `; ${n}`)].join('');
  process.stdout.write(`${describeTally(tally, extra)}\n`);
  mkdirSync(fromRoot('test-artifacts'), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...tally })}\n`);
  return tally;
}
