import { log } from '@temporalio/activity';
import type { OperatorAction } from '../../src/contracts';
import type { ActivityDeps } from '../deps';

export interface RecordOperatorActionInput {
  eventId: string;
  action: OperatorAction;
}

/** Writes an operator's signal (who, why, which step, applied or refused) to the audit table. */
export function createRecordOperatorAction({ db }: Pick<ActivityDeps, 'db'>) {
  return async function recordOperatorAction({ eventId, action }: RecordOperatorActionInput): Promise<void> {
    // One row per signal; a retried attempt must not write it twice.
    const existing = await db.operatorAction.findFirst({
      where: { eventId, action: action.action, step: action.step, createdAt: new Date(action.at) },
    });
    if (!existing) {
      await db.operatorAction.create({
        data: {
          eventId,
          action: action.action,
          step: action.step,
          by: action.by,
          reason: action.reason,
          applied: action.applied,
          note: action.note,
          createdAt: new Date(action.at),
        },
      });
    }
    log.info('operator action recorded', { eventId, action: action.action, step: action.step, by: action.by, applied: action.applied });
  };
}
