// @ts-check
/**
 * Preloaded into each Node process of a bench stack (`node --require bench/process-probe.cjs …`,
 * bench/bench-process.ts), never into production: counts the process's PostgreSQL round trips
 * and reports its memory, on request.
 *
 * - A round trip is one `pg` Client.query() call: node-postgres sends a query's Parse, Bind,
 *   Execute and Sync together and waits for the answer, and never pipelines two queries. Prisma's
 *   driver adapter (@prisma/adapter-pg) and the inline handler both go through it, so the count
 *   covers every query of the process, the transactions' BEGIN and COMMIT included.
 * - A statement is a round trip that is not transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT).
 * - Connections opened are counted apart (a pool's start-up, not a fulfillment's cost).
 *
 * On SIGWINCH (a signal nothing else here uses; Temporal's runtime takes SIGUSR2 as a shutdown) it writes { seq, pg, memory, heap } as JSON to BENCH_PROBE_FILE (through a rename,
 * so the bench never reads half a file). `memory` is process.memoryUsage() of the main thread:
 * its V8 heap, and `external`/`arrayBuffers` (Buffers and WebAssembly memory, i.e. Prisma's query
 * compiler). Temporal's workflow thread has a V8 heap of its own, which only RSS shows.
 */
'use strict';
const { renameSync, writeFileSync } = require('node:fs');

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const pg = { roundTrips: 0, statements: 0, connects: 0 };
  const control = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION)\b/i;
  try {
    // The application's own copy of pg (resolved from its directory), which the probe patches in place.
    const { Client } = require(require.resolve('pg', { paths: [process.cwd()] }));
    const query = Client.prototype.query;
    Client.prototype.query = function countedQuery(config, ...rest) {
      pg.roundTrips++;
      const text = typeof config === 'string' ? config : config && config.text;
      if (!control.test(String(text ?? ''))) pg.statements++;
      return query.call(this, config, ...rest);
    };
    const connect = Client.prototype.connect;
    Client.prototype.connect = function countedConnect(...args) {
      pg.connects++;
      return connect.apply(this, args);
    };
  } catch {
    // A process without pg (the verify-only baseline) reports zeros.
  }
  let seq = 0;
  process.on('SIGWINCH', () => {
    const v8 = require('node:v8');
    const reading = { seq: ++seq, pg, memory: process.memoryUsage(), heap: v8.getHeapStatistics() };
    writeFileSync(`${file}.tmp`, JSON.stringify(reading));
    renameSync(`${file}.tmp`, file);
  });
}
