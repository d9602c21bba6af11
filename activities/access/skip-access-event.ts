import { log } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';

export interface SkipAccessEventInput {
  accessEventId: string;
}

/**
 * An operator skipped the event's delivery (`ops skip`): it is marked `skipped` and the run goes on
 * with the next. The product loses nothing it needs: every event carries the user's whole access,
 * so the next one (or the check) tells the state this one would have.
 */
export function createSkipAccessEvent({ db }: Pick<ActivityDeps, 'db'>) {
  return async function skipAccessEvent({ accessEventId }: SkipAccessEventInput): Promise<void> {
    await db.accessEvent.updateMany({ where: { id: accessEventId, status: 'pending' }, data: { status: 'skipped' } });
    log.warn('access event skipped by an operator', { accessEventId });
  };
}
