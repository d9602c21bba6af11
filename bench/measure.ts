import { Client } from 'pg';
import type { LocalPostmark } from '../src/dev/local-postmark';
import { burst, quantile, steadyRate, type Delivery } from './load';
import { cpuBetween, peakRssMiB, snapshot, threadCpuBetween, type CpuSnapshot } from './proc-stats';
import { GC_LINE, type Stack } from './stack';

export interface BenchSettings {
  secret: string;
  warmup: number;
  events: number;
  inFlight: number;
  rate: number;
  rateSeconds: number;
  idleSeconds: number;
}

export interface StackResult {
  name: string;
  fulfils: boolean;
  burst: { ackP50: number; ackP99: number; perSecond: number; e2eP50: number; e2eP99: number; gcEvents: number | null };
  /** CPU ms per purchase of the burst, by process group. */
  cpu: Map<string, number>;
  /** CPU ms per purchase of the burst, by thread kind of the worker (service stacks only). */
  workerThreads: Map<string, number>;
  /** CPU ms per second with nothing to do, by process group (what each figure above holds of it). */
  idle: Map<string, number>;
  rate: { ackP50: number; ackP99: number; drainSeconds: number };
  peakRss: Map<string, number>;
  check: { purchases: number; fulfilled: number; emails: number; duplicateEmails: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Snap = { at: number; groups: Map<string, CpuSnapshot> };
const snap = (stack: Stack): Snap => ({ at: performance.now(), groups: new Map(stack.groups().map((g) => [g.label, snapshot(g.pids)])) });

function cpuPer(before: Snap, after: Snap, divisor: number): Map<string, number> {
  return new Map(
    [...after.groups].map(([label, later]) => [label, cpuBetween(before.groups.get(label) ?? new Map<number, never>(), later) / divisor]),
  );
}

/** Waits until every purchase's welcome email is sent and its ledger row completed; the time it took. */
async function fulfilled(stack: Stack, db: Client, postmark: LocalPostmark, deliveries: Delivery[], since: number): Promise<number> {
  if (!stack.fulfils) return (performance.now() - since) / 1000;
  const emails = new Set(deliveries.map((d) => d.email));
  const ids = deliveries.map((d) => d.event.id);
  for (const deadline = Date.now() + 15 * 60_000; Date.now() < deadline; await sleep(100)) {
    if (postmark.outbox.filter((m) => emails.has(m.to)).length < emails.size) continue;
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM stripe_events WHERE status = 'completed' AND id = ANY($1)`, [
      ids,
    ]);
    if (Number(rows[0].n) === ids.length) return (performance.now() - since) / 1000;
  }
  throw new Error(`${stack.name}: not every purchase was fulfilled within 15 minutes`);
}

/** Warm-up, an idle interval, a burst (CPU per purchase), then a steady rate (ack while draining). */
export async function measureStack(stack: Stack, db: Client, postmark: LocalPostmark, s: BenchSettings): Promise<StackResult> {
  const warm = await burst(stack.url, s.secret, s.warmup, 4);
  await fulfilled(stack, db, postmark, warm, performance.now());

  const idleStart = snap(stack);
  await sleep(s.idleSeconds * 1000);
  const idleEnd = snap(stack);
  const idle = cpuPer(idleStart, idleEnd, (idleEnd.at - idleStart.at) / 1000);

  const worker = stack.processes.find((p) => p.label === 'worker');
  const gcBefore = worker?.count(GC_LINE) ?? 0;
  const before = snap(stack);
  const t0 = performance.now();
  const deliveries = await burst(stack.url, s.secret, s.events, s.inFlight);
  const seconds = await fulfilled(stack, db, postmark, deliveries, t0);
  const after = snap(stack);
  const gcEvents = worker ? worker.count(GC_LINE) - gcBefore : null;
  const workerPid = worker?.pid;
  const workerThreads =
    workerPid === undefined
      ? new Map<string, number>()
      : new Map(
          [...threadCpuBetween(before.groups.get('worker')?.get(workerPid), after.groups.get('worker')!.get(workerPid)!)].map(
            ([kind, ms]) => [kind, ms / s.events] as const,
          ),
        );

  const sentAt = new Map(postmark.outbox.map((m) => [m.to, Date.parse(m.submittedAt)]));
  const e2e = stack.fulfils ? deliveries.map((d) => (sentAt.get(d.email) ?? NaN) - d.postedAt) : [];

  const r0 = performance.now();
  const steady = await steadyRate(stack.url, s.secret, s.rate, s.rateSeconds);
  const drainSeconds = (await fulfilled(stack, db, postmark, steady, r0)) - s.rateSeconds;

  const all = [...warm, ...deliveries, ...steady];
  const emails = new Set(all.map((d) => d.email));
  const mine = postmark.outbox.filter((m) => emails.has(m.to));
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM stripe_events WHERE status = 'completed' AND id = ANY($1)`, [
    all.map((d) => d.event.id),
  ]);
  const peakRss = new Map(
    stack.groups().flatMap((g) => (g.label === 'postgres' ? [] : g.pids.map((pid) => [g.label, peakRssMiB(pid)] as const))),
  );

  return {
    name: stack.name,
    fulfils: stack.fulfils,
    burst: {
      ackP50: quantile(
        deliveries.map((d) => d.ackMs),
        0.5,
      ),
      ackP99: quantile(
        deliveries.map((d) => d.ackMs),
        0.99,
      ),
      perSecond: s.events / seconds,
      e2eP50: quantile(e2e, 0.5),
      e2eP99: quantile(e2e, 0.99),
      gcEvents,
    },
    cpu: cpuPer(before, after, s.events),
    workerThreads,
    idle,
    rate: {
      ackP50: quantile(
        steady.map((d) => d.ackMs),
        0.5,
      ),
      ackP99: quantile(
        steady.map((d) => d.ackMs),
        0.99,
      ),
      drainSeconds: Math.max(0, drainSeconds),
    },
    peakRss,
    check: {
      purchases: all.length,
      fulfilled: Number(rows[0].n),
      emails: mine.length,
      duplicateEmails: mine.length - new Set(mine.map((m) => m.to)).size,
    },
  };
}
