import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const TEMPORAL_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

/**
 * Temporal's worker and activity logs as the service's JSON lines, one per entry. Task
 * tokens are dropped: they are credentials to complete an activity, and no help to a reader.
 */
export function temporalLogger(logger: Logger): DefaultLogger {
  return new DefaultLogger(TEMPORAL_LEVEL[logger.level] ?? 'INFO', ({ level, message, meta }: LogEntry) => {
    const { taskToken: _token, ...fields } = (meta ?? {}) as Record<string, unknown>;
    logger[PINO_LEVEL[level]](fields, message);
  });
}
