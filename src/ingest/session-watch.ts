import type { PrismaClient } from '../generated/prisma/client';

/** How often the waiting polls' sessions are looked up in the ledger, all in one query. */
const TICK_MS = 250;
/** How often one waiting session gets a full look (its run's NeedsAttention, Stripe for an undelivered one). */
const FULL_LOOK_EVERY_MS = 3_000;

interface Waiter {
  deadline: number;
  wake: () => void;
}

/**
 * Where long polls wait (GET /checkout/sessions/:id?wait=N), so that however many wait, the API
 * asks the database once per tick: one query for every waiting session's ledger status, and
 * wakes a session's waiters when its event is handled (completed, failed, cancelled). Every few
 * seconds a waiting session also gets a full look (`fullLook`: its run's status, or Stripe when
 * the webhook has not delivered it), once per session, not once per poll.
 */
export function createSessionWatch(db: PrismaClient, fullLook: (sessionId: string) => Promise<boolean>) {
  const waiting = new Map<string, { waiters: Set<Waiter>; lookedAt: number; looking: boolean }>();
  let timer: NodeJS.Timeout | null = null;

  const wakeAll = (sessionId: string) => {
    const entry = waiting.get(sessionId);
    waiting.delete(sessionId);
    for (const w of entry?.waiters ?? []) w.wake();
  };

  async function tick(): Promise<void> {
    const now = Date.now();
    for (const [id, entry] of waiting) {
      for (const w of entry.waiters) {
        if (now < w.deadline) continue;
        entry.waiters.delete(w);
        w.wake();
      }
      if (entry.waiters.size === 0) waiting.delete(id);
    }
    const ids = [...waiting.keys()];
    if (ids.length > 0) {
      const rows = await db.stripeEvent
        .findMany({ where: { checkoutSessionId: { in: ids }, status: { not: 'received' } }, select: { checkoutSessionId: true } })
        .catch(() => []);
      for (const row of rows) if (row.checkoutSessionId) wakeAll(row.checkoutSessionId);
      for (const [id, entry] of waiting) {
        // One full look per session at a time: a slow Stripe does not pile them up.
        if (entry.looking || now - entry.lookedAt < FULL_LOOK_EVERY_MS) continue;
        entry.lookedAt = now;
        entry.looking = true;
        void fullLook(id)
          .then(
            (changed) => changed && wakeAll(id),
            () => undefined,
          )
          .finally(() => (entry.looking = false));
      }
    }
    timer = waiting.size > 0 ? setTimeout(() => void tick(), TICK_MS) : null;
  }

  return {
    /** Resolves when the session's status may have changed, or at `deadline` (epoch ms), or on `signal`. */
    until(sessionId: string, deadline: number, signal: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        const entry = waiting.get(sessionId) ?? { waiters: new Set<Waiter>(), lookedAt: Date.now(), looking: false };
        waiting.set(sessionId, entry);
        const waiter: Waiter = { deadline, wake: () => (signal.removeEventListener('abort', waiter.wake), resolve()) };
        entry.waiters.add(waiter);
        signal.addEventListener('abort', waiter.wake, { once: true });
        timer ??= setTimeout(() => void tick(), TICK_MS);
      });
    },
    close() {
      if (timer) clearTimeout(timer);
      for (const id of [...waiting.keys()]) wakeAll(id);
    },
  };
}
