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
 * run. A completed row stays completed: a failure after completion (its email refused for good,
 * the end-of-grace check) does not make a fulfilled event look unfulfilled; it only says why.
 */
export function createRecordOutcome({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordOutcome({ eventId, status, error }: RecordOutcomeInput): Promise<void> {
    if (status === 'completed') {
      await db.stripeEvent.updateMany({ where: { id: eventId }, data: { status, lastError: null, completedAt: new Date() } });
      return;
    }
    await db.$executeRaw`
      UPDATE stripe_events SET last_error = ${error},
        status = CASE WHEN status = 'completed' THEN status ELSE ${status}::stripe_event_status END,
        completed_at = CASE WHEN status = 'completed' THEN completed_at ELSE NULL END
      WHERE id = ${eventId}`;
  };
}
