import type { Logger } from 'pino';

/**
 * Runs `close` once on SIGINT/SIGTERM, then exits. The same signal again (Ctrl-C pressed
 * twice) exits at once; a different one meanwhile (a supervisor's SIGTERM after the
 * terminal's SIGINT) lets the graceful close finish.
 */
export function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (first) {
      if (signal === first) process.exit(1);
      return;
    }
    first = signal;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
