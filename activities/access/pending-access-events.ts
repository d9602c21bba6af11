import type { AccessReason, PendingAccessEvent } from '../../src/contracts';
import type { ActivityDeps } from '../deps';

export interface PendingAccessEventsInput {
  userId: string;
  limit: number;
}

/**
 * The user's access events not delivered yet, oldest first: what `deliverAccessEvents` delivers
 * next, in this order. None while access events are off (APP_WEBHOOK_URL unset): a run woken
 * then ends, and the events stay pending until they are on again.
 */
export function createPendingAccessEvents({ db, accessEvents }: Pick<ActivityDeps, 'db' | 'accessEvents'>) {
  return async function pendingAccessEvents({ userId, limit }: PendingAccessEventsInput): Promise<PendingAccessEvent[]> {
    if (!accessEvents) return [];
    const rows = await db.accessEvent.findMany({
      where: { userId, status: 'pending' },
      orderBy: { seq: 'asc' },
      take: limit,
      select: { id: true, reason: true },
    });
    return rows.map((r) => ({ id: r.id, reason: r.reason as AccessReason }));
  };
}
