/**
 * Launch bench: are our own customers held behind a Sumo launch?
 * LAUNCH_SUMO (600) Sumo purchases are POSTed at once, then LAUNCH_OURS (10) direct purchases
 * and as many renewals; it reports each class's POST → email (renewals: POST → access synced)
 * p50 / p99 and how long the Sumo backlog took to drain, on each Temporal configuration named:
 *
 *   npx tsx bench/launch-priority.ts fifo priority      # dev server, priority matcher off / on
 *   LAUNCH_TEMPORAL_ADDRESS=127.0.0.1:7233 npx tsx bench/launch-priority.ts external
 *
 * `fifo`: the dev server with `matching.useNewMatcher=false` (Temporal 1.29's default: the
 * priority keys are ignored); `priority`: the dev server as the project runs it; `external`: a
 * server already running at
 * LAUNCH_TEMPORAL_ADDRESS (e.g. the production-shaped cluster), namespace `default` with the
 * search attributes registered. Each configuration gets a stack of its own (test/support/stack/process-stack.ts).
 */
import { startLocalStripeEvents } from '../test/support/local-stripe-events';
import { ProcessStack, type ProcessStackOptions } from '../test/support/stack/process-stack';
import { runLaunch, type Latencies } from '../test/faults/support/launch-burst';

const SUMO = Number(process.env.LAUNCH_SUMO ?? 600);
const OURS = Number(process.env.LAUNCH_OURS ?? 10);

const OWNED = { postgres: 'owned', temporal: 'owned' } as const;
const configurations: Record<string, () => Pick<ProcessStackOptions, 'postgres' | 'temporal' | 'temporalDynamicConfig'>> = {
  fifo: () => ({ ...OWNED, temporalDynamicConfig: { 'matching.useNewMatcher': false } }),
  priority: () => OWNED,
  external: () => {
    const address = process.env.LAUNCH_TEMPORAL_ADDRESS;
    if (!address) throw new Error('external: set LAUNCH_TEMPORAL_ADDRESS');
    return { postgres: 'owned', temporal: { address } };
  },
};

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '—');
const cell = (l: Latencies) => `${s(l.p50)} / ${s(l.p99)}`;

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  if (!names.length || names.some((n) => !configurations[n])) {
    throw new Error(`name configurations to run: ${Object.keys(configurations).join(', ')}`);
  }
  const rows: string[] = [];
  for (const name of names) {
    const stripe = await startLocalStripeEvents();
    const stack = new ProcessStack({ ...configurations[name](), stripeApiBase: stripe.url });
    try {
      await stack.start();
      const r = await runLaunch(stack, stripe, {
        id: `bench-${name}`,
        sumo: SUMO,
        direct: OURS,
        renewals: OURS,
        oursAfter: true,
        settleMs: 600_000,
      });
      const t = r.tally;
      rows.push(
        `| ${name} | ${cell(r.sumo)} | ${cell(r.direct)} | ${cell(r.renewal)} | ${s(r.drainMs)} | ${Math.min(...r.backlogAtDirectPost)} | ` +
          `${t.lost + (r.renewals.sent - r.renewals.completed)} / ${t.duplicated + r.renewals.duplicated} / ${t.needingOperator + r.renewals.needingOperator} |`,
      );
      process.stdout.write(`${rows[rows.length - 1]}\n`);
    } finally {
      await stack.stop();
      await stripe.close();
    }
  }
  process.stdout.write(
    [
      `\n${SUMO} Sumo purchases POSTed at once, then ${OURS} direct purchases and ${OURS} renewals (seconds):\n`,
      '| Temporal | Sumo POST → email p50 / p99 | direct POST → email p50 / p99 | renewal POST → synced p50 / p99 | Sumo backlog drained in | Sumo backlog at the first direct POST | lost / duplicated / needing an operator |',
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
