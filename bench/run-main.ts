import { loadavg } from 'node:os';

/** Runs a bench's main and exits: 0 when it finished, 1 (with the error) when it did not. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** Closes a bench's services: its database client, stand-ins and database, whatever else failed. */
export async function closeAll(
  db: { end(): Promise<void> },
  postmark: { close(): Promise<void> },
  stripe: { close(): Promise<void> },
  database: { stop(): Promise<void> },
): Promise<void> {
  await db.end();
  await Promise.allSettled([postmark.close(), stripe.close()]);
  await database.stop();
}

/** The machine's load average now (1 / 5 / 15 min): a bench says it at its start and end. */
export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
