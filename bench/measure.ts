import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Client } from 'pg';
import type { NodeProcess } from '../test/support/stack/spawn-node';
import type { LocalPostmark } from '../devstack/local-postmark';
import { probe, type ProbeReading } from './probe';
import { billableActions } from './billable-actions';
import { burst, quantile, steadyRate, type Delivery } from './load';
import { busyBetween, cpuBetween, machineCpu, peakRssMiB, rssMiB, snapshot, threadCpuBetween, type CpuSnapshot } from './proc-stats';
import { GC_LINE, type Stack } from './stack';
import { perPurchase, serverRequests, workerCounters, type Counters } from './temporal-metrics';

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
  burst: {
    ackP50: number;
    ackP99: number;
    perSecond: number;
    e2eP50: number;
    e2eP99: number;
    gcEvents: number | null;
    /** The share of the machine's CPU (all cores, every process: the bench's load and Postmark stand-in too) busy during the burst. */
    machineBusy: number;
    /** The bench's own CPU ms per purchase in the burst (load generator, Postmark stand-in): the machine's rest. */
    benchCpu: number;
  };
  /** CPU ms per purchase of the burst, by process group. */
  cpu: Map<string, number>;
  /** CPU ms per purchase of the burst, by thread kind of the worker (service stacks only). */
  workerThreads: Map<string, number>;
  /** CPU ms per second with nothing to do, by process group (what each figure above holds of it). */
  idle: Map<string, number>;
  rate: { ackP50: number; ackP99: number; drainSeconds: number };
  peakRss: Map<string, number>;
  /** PostgreSQL round trips and statements per purchase of the burst, by process. */
  db: { roundTrips: Map<string, number>; statements: Map<string, number> };
  /** Where each process's resident memory is at the end (MiB), by part, then by process. */
  memory: Record<keyof MemoryBreakdown, Map<string, number>>;
  /** Temporal Cloud billable actions per fulfillment of the burst (service stacks), by kind. */
  actions: Map<string, number>;
  /** Per purchase of the burst: the Temporal server's requests by operation, the worker's core counters (service stacks). */
  temporalWork: Counters;
  check: { purchases: number; fulfilled: number; emails: number; duplicateEmails: number; unavailable: number };
}

export interface MemoryBreakdown {
  rss: number;
  /** The main thread's V8 heap (committed). */
  heap: number;
  /** Buffers and ArrayBuffers outside the heap, WebAssembly memory (Prisma's query compiler) among them. */
  external: number;
  /** Everything else anonymous: other threads' V8 heaps (Temporal's workflow thread), Temporal core (Rust), Node's own. */
  native: number;
  /** Code and shared libraries mapped from files (Node, Temporal core's .node, Prisma's engines). */
  code: number;
}

const MiB = 1024 * 1024;

function breakdown(pid: number, reading: ProbeReading): MemoryBreakdown {
  const { rss, anon, file, shmem } = rssMiB(pid);
  const heap = reading.memory.heapTotal / MiB;
  const external = reading.memory.external / MiB;
  return { rss, heap, external, native: Math.max(0, anon - heap - external), code: file + shmem };
}

/** Activity heartbeats the Temporal server has received (its Prometheus metrics). */
async function heartbeats(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('service_requests{') && line.includes('operation="RecordActivityTaskHeartbeat"'))
    .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Billable actions per fulfillment: the median kinds over a sample of the burst's recorded histories, plus heartbeats. */
async function actionsPerFulfillment(stack: Stack, ids: string[], heartbeatsPer: number): Promise<Map<string, number>> {
  const connection = await Connection.connect({ address: stack.temporal!.address });
  try {
    const client = new TemporalClient({ connection });
    const sample = ids.filter((_, i) => i % Math.ceil(ids.length / 10) === 0);
    const counts = await Promise.all(
      sample.map(async (id) => billableActions((await client.workflow.getHandle(id).fetchHistory()).events ?? [])),
    );
    const kinds = new Set(counts.flatMap((c) => [...c.keys()]));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const actions = new Map([...kinds].map((k) => [k, median(counts.map((c) => c.get(k) ?? 0))] as const));
    actions.set('activity heartbeats (server metrics)', heartbeatsPer);
    return actions;
  } finally {
    await connection.close();
  }
}

const probeAll = (processes: NodeProcess[]) => Promise.all(processes.map(async (p) => [p, await probe(p)] as const));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Snap = { at: number; groups: Map<string, CpuSnapshot> };
const snap = (stack: Stack): Snap => ({ at: performance.now(), groups: new Map(stack.groups().map((g) => [g.label, snapshot(g.pids)])) });

function cpuPer(before: Snap, after: Snap, divisor: number): Map<string, number> {
  return new Map(
    [...after.groups].map(([label, later]) => [label, cpuBetween(before.groups.get(label) ?? new Map<number, never>(), later) / divisor]),
  );
}

/** Waits until every purchase's welcome email is sent and its ledger row completed; the time it took. */
export async function fulfilled(stack: Stack, db: Client, postmark: LocalPostmark, deliveries: Delivery[], since: number): Promise<number> {
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
  const probesBefore = await probeAll(stack.processes);
  const heartbeatsBefore = stack.temporal ? await heartbeats(stack.temporal.metricsUrl) : 0;
  const work = async (): Promise<Counters> =>
    stack.temporal
      ? new Map([
          ...(await serverRequests(stack.temporal.metricsUrl)),
          ...(stack.temporal.workerMetricsUrl ? await workerCounters(stack.temporal.workerMetricsUrl) : []),
        ])
      : new Map();
  const workBefore = await work();
  const before = snap(stack);
  const machineBefore = machineCpu();
  const benchBefore = process.cpuUsage();
  const t0 = performance.now();
  const deliveries = await burst(stack.url, s.secret, s.events, s.inFlight);
  const seconds = await fulfilled(stack, db, postmark, deliveries, t0);
  const after = snap(stack);
  const machineBusy = busyBetween(machineBefore, machineCpu());
  const benchUsage = process.cpuUsage(benchBefore);
  const benchCpu = (benchUsage.user + benchUsage.system) / 1000 / s.events;
  const temporalWork = perPurchase(workBefore, await work(), s.events);
  const probesAfter = await probeAll(stack.processes);
  const pgPer = (key: 'roundTrips' | 'statements') =>
    new Map(probesAfter.map(([p, later], i) => [p.label, (later.pg[key] - probesBefore[i][1].pg[key]) / s.events] as const));
  const dbPer = { roundTrips: pgPer('roundTrips'), statements: pgPer('statements') };
  const actions = stack.temporal
    ? await actionsPerFulfillment(
        stack,
        deliveries.map((d) => d.event.id),
        ((await heartbeats(stack.temporal.metricsUrl)) - heartbeatsBefore) / s.events,
      )
    : new Map<string, number>();
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
  const parts = (await probeAll(stack.processes)).map(([p, reading]) => [p.label, breakdown(p.pid, reading)] as const);
  const part = (k: keyof MemoryBreakdown) => new Map(parts.map(([label, b]) => [label, b[k]] as const));
  const memory = { rss: part('rss'), heap: part('heap'), external: part('external'), native: part('native'), code: part('code') };
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
      machineBusy,
      benchCpu,
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
    db: dbPer,
    memory,
    actions,
    temporalWork,
    check: {
      purchases: all.length,
      fulfilled: Number(rows[0].n),
      emails: mine.length,
      duplicateEmails: mine.length - new Set(mine.map((m) => m.to)).size,
      unavailable: all.reduce((n, d) => n + d.unavailable, 0),
    },
  };
}
