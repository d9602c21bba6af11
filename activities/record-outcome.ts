import type { ActivityDeps } from './deps';

export interface RecordOutcomeInput {
  eventId: string;
  status: 'completed' | 'failed';
  error: string | null;
}

/** Closes the event's row in the duplicate guard. A completed event is answered as a
 *  duplicate by the webhook even after Temporal has dropped the closed run. */
export function createRecordOutcome({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordOutcome({ eventId, status, error }: RecordOutcomeInput): Promise<void> {
    await db.stripeEvent.update({
      where: { id: eventId },
      data: { status, lastError: error, completedAt: status === 'completed' ? new Date() : null },
    });
  };
}
