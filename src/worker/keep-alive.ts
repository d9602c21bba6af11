import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/** Activities that heartbeat themselves, with details that a beat from here would overwrite. */
const OWN_HEARTBEATS = new Set(['sendWelcomeEmail', 'sendPaymentFailedEmail', 'reconcileEvents']);

/**
 * Heartbeats for every activity scheduled with a heartbeat timeout (workflows/activity-calls.ts)
 * that does not heartbeat itself, a few times per timeout. So when the worker dies, Temporal
 * retries its running activities after the heartbeat timeout (10 s) instead of their
 * start-to-close timeout (30 s); a live but stuck activity still ends at start-to-close.
 */
export function keepAlive(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        const timeoutMs = ctx.info.heartbeatTimeoutMs;
        if (!timeoutMs || OWN_HEARTBEATS.has(ctx.info.activityType)) return next(input);
        const timer = setInterval(() => ctx.heartbeat(), Math.max(500, timeoutMs / 4));
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  };
}
