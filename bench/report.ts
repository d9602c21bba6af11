import type { StackResult } from './measure';

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The bench's tables in Markdown, ready for docs/PERFORMANCE.md; ratios are against the inline handler of the same run. */
export function report(results: StackResult[], settings: { events: number; inFlight: number; rate: number; rateSeconds: number }): string {
  const inline = results.find((r) => r.name === 'inline handler');
  const ratio = (value: number, pick: (r: StackResult) => number) =>
    inline && Number.isFinite(value) ? `${f(value / pick(inline), 1)}×` : '—';
  const head = ['', ...results.map((r) => r.name)];
  const cols = (fn: (r: StackResult) => string) => results.map(fn);

  const summary = table(
    [...head, ...(inline ? results.filter((r) => r.fulfils && r !== inline).map((r) => `${r.name} ÷ inline`) : [])],
    [
      ['ack p50 / p99 at ' + `${settings.rate}/s (ms)`, ...cols((r) => `${f(r.rate.ackP50)} / ${f(r.rate.ackP99)}`)],
      ['drain after the steady rate (s)', ...cols((r) => (r.fulfils ? f(r.rate.drainSeconds) : '—'))],
      [
        `ack p50 / p99, ${settings.events} at ${settings.inFlight} in flight (ms)`,
        ...cols((r) => `${f(r.burst.ackP50)} / ${f(r.burst.ackP99)}`),
      ],
      ['fulfilled per second in that burst', ...cols((r) => (r.fulfils ? f(r.burst.perSecond) : '—'))],
      [
        'machine CPU busy in that burst, all cores (of it the bench: ms per purchase)',
        ...cols((r) => `${f(r.burst.machineBusy * 100, 0)} % (${f(r.burst.benchCpu)})`),
      ],
      ['POST → welcome email p50 / p99 (ms)', ...cols((r) => (r.fulfils ? `${f(r.burst.e2eP50, 0)} / ${f(r.burst.e2eP99, 0)}` : '—'))],
      ['CPU per purchase, all processes (ms)', ...cols((r) => f(sum(r.cpu)))],
      ['peak RSS, all processes but PostgreSQL (MiB)', ...cols((r) => f(sum(r.peakRss), 0))],
      [
        'PostgreSQL round trips per purchase (of them statements)',
        ...cols((r) => (r.fulfils ? `${f(sum(r.db.roundTrips))} (${f(sum(r.db.statements))})` : '—')),
      ],
      ['Temporal Cloud billable actions per fulfillment', ...cols((r) => (r.actions.size > 0 ? f(sum(r.actions)) : '—'))],
    ].map((row, i) => {
      if (!inline) return row;
      const picks: ((r: StackResult) => number)[] = [
        (r) => r.rate.ackP99,
        () => NaN,
        (r) => r.burst.ackP99,
        (r) => 1 / r.burst.perSecond,
        () => NaN,
        (r) => r.burst.e2eP50,
        (r) => sum(r.cpu),
        (r) => sum(r.peakRss),
        (r) => sum(r.db.roundTrips),
        () => NaN,
      ];
      return [...row, ...results.filter((r) => r.fulfils && r !== inline).map((r) => ratio(picks[i](r), picks[i]))];
    }),
  );

  const groups = [...new Set(results.flatMap((r) => [...r.cpu.keys()]))];
  const perProcess = table(
    ['CPU ms per purchase (idle ms/s)', ...results.map((r) => r.name)],
    groups.map((g) => [g, ...cols((r) => (r.cpu.has(g) ? `${f(r.cpu.get(g)!)} (${f(r.idle.get(g) ?? 0)})` : ''))]),
  );

  const services = results.filter((r) => r.workerThreads.size > 0);
  const kinds = [...new Set(services.flatMap((r) => [...r.workerThreads.keys()]))].sort();
  const perThread = table(
    ['worker CPU ms per purchase, by thread', ...services.map((r) => r.name)],
    [
      ...kinds.map((k) => [k, ...services.map((r) => f(r.workerThreads.get(k) ?? 0))]),
      ['GC events in the burst (--trace-gc)', ...services.map((r) => (r.burst.gcEvents ? String(r.burst.gcEvents) : 'not traced'))],
    ],
  );

  const rss = table(
    ['peak RSS (MiB)', ...results.map((r) => r.name)],
    [...new Set(results.flatMap((r) => [...r.peakRss.keys()]))].map((p) => [
      p,
      ...cols((r) => (r.peakRss.has(p) ? f(r.peakRss.get(p)!, 0) : '')),
    ]),
  );

  const withDb = results.filter((r) => r.fulfils);
  const dbTable = table(
    ['PostgreSQL round trips (statements) per purchase', ...withDb.map((r) => r.name)],
    [...new Set(withDb.flatMap((r) => [...r.db.roundTrips.keys()]))].map((p) => [
      p,
      ...withDb.map((r) => (r.db.roundTrips.has(p) ? `${f(r.db.roundTrips.get(p)!)} (${f(r.db.statements.get(p) ?? 0)})` : '')),
    ]),
  );

  const memoryParts = [
    ['rss', 'RSS at the end'],
    ['heap', 'main thread V8 heap'],
    ['external', 'buffers, WebAssembly (Prisma compiler)'],
    ['native', 'other anonymous (workflow thread heap, Temporal core, Node)'],
    ['code', 'code and shared libraries'],
  ] as const;
  const processes = [...new Set(results.flatMap((r) => [...r.memory.rss.keys()]))];
  const memoryTable = table(
    ['memory at the end (MiB)', ...results.flatMap((r) => processes.filter((p) => r.memory.rss.has(p)).map((p) => `${r.name}: ${p}`))],
    memoryParts.map(([k, label]) => [
      label,
      ...results.flatMap((r) => processes.filter((p) => r.memory.rss.has(p)).map((p) => f(r.memory[k].get(p) ?? 0, 0))),
    ]),
  );

  const billed = results.filter((r) => r.actions.size > 0);
  const actionKinds = [...new Set(billed.flatMap((r) => [...r.actions.keys()]))];
  const actionsTable = table(
    ['billable actions per fulfillment (median of 10 histories; heartbeats per purchase)', ...billed.map((r) => r.name)],
    [...actionKinds.map((k) => [k, ...billed.map((r) => f(r.actions.get(k) ?? 0))]), ['total', ...billed.map((r) => f(sum(r.actions)))]],
  );

  const working = results.filter((r) => r.temporalWork.size > 0);
  const workKinds = [...new Set(working.flatMap((r) => [...r.temporalWork.keys()]))].sort();
  const workTable = table(
    ['Temporal work per purchase of the burst (server requests; worker core metrics)', ...working.map((r) => r.name)],
    workKinds.map((k) => [k, ...working.map((r) => f(r.temporalWork.get(k) ?? 0, 2))]),
  );

  const checks = results
    .filter((r) => r.fulfils)
    .map(
      (r) =>
        `${r.name}: ${r.check.purchases} purchases, ${r.check.fulfilled} fulfilled, ${r.check.emails} welcome emails, ${r.check.duplicateEmails} duplicates, ${r.check.unavailable} answers 503 (retried)`,
    )
    .join('\n');
  return [summary, perProcess, perThread, workTable, dbTable, rss, memoryTable, actionsTable, checks].join('\n\n');
}
