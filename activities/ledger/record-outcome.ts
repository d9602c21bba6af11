import type { ActivityDeps } from '../deps';

export interface RecordOutcomeInput {
  eventId: string;
  /** `cancelled`: an operator's cancel, which redeliveries and reconciliation respect. */
  status: 'completed' | 'failed' | 'cancelled';
  error: string | null;
}

/**
 * Closes the event's row in the duplicate guard. A completed or cancelled event is answered
 * as handled by the webhook and reconciliation even after Temporal has dropped the closed
 * run. A completed row is never rewritten: a failure after completion (say, of the
 * end-of-grace check) does not make a fulfilled event look unfulfilled.
 */
export function createRecordOutcome({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordOutcome({ eventId, status, error }: RecordOutcomeInput): Promise<void> {
    await db.stripeEvent.updateMany({
      where: { id: eventId, ...(status !== 'completed' && { status: { not: 'completed' } }) },
      data: { status, lastError: error, completedAt: status === 'completed' ? new Date() : null },
    });
  };
}
