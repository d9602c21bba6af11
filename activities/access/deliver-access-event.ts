import { ApplicationFailure, log } from '@temporalio/activity';
import { accessSnapshot } from '../../src/access/snapshot';
import {
  ACCESS_SIGNATURE_HEADER,
  FailureType,
  type AccessDelivery,
  type AccessEventBody,
  type AccessReason,
  type AccessSnapshot,
} from '../../src/contracts';
import type { ActivityDeps } from '../deps';
import { signAccessBody } from './sign-access-body';

export interface DeliverAccessEventInput {
  accessEventId: string;
}

/** Answers that heal by themselves: the product is down, overloaded or slow. */
const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * POSTs one access event to the product (APP_WEBHOOK_URL), signed with the first of
 * APP_WEBHOOK_SECRETS, and marks it delivered on a 2xx. The body is built from the stored row
 * (the same id, `created`, reason and snapshot on every delivery) and the user's email as it is now.
 *
 * An outage (no answer, a timeout, 408, 429, 5xx) is a plain error: retried, then Retrying
 * through the worker's RETRY_WINDOW like any step. Any other answer (a 4xx: a wrong secret on the
 * product's side, a wrong URL) is AccessWebhookRejected, for a person (NeedsAttention). An event
 * already delivered is not sent again (a retried step after a lost answer may still send it twice:
 * the product dedups on `id`).
 */
export function createDeliverAccessEvent({ db, accessEvents }: Pick<ActivityDeps, 'db' | 'accessEvents'>) {
  return async function deliverAccessEvent({ accessEventId }: DeliverAccessEventInput): Promise<AccessDelivery> {
    if (!accessEvents) throw new Error('access events are off (APP_WEBHOOK_URL is unset): the event waits until they are on');
    const row = await db.accessEvent.findUnique({ where: { id: accessEventId }, include: { user: { select: { email: true } } } });
    if (!row) throw ApplicationFailure.nonRetryable(`no access event ${accessEventId}`, FailureType.AccessWebhookRejected);
    if (row.status !== 'pending')
      return { accessEventId, outcome: row.status === 'skipped' ? 'skipped' : 'already_delivered', httpStatus: null };

    const body: AccessEventBody = {
      id: row.id,
      type: 'access.updated',
      created: Math.floor(row.createdAt.getTime() / 1000),
      reason: row.reason as AccessReason,
      user: { id: row.userId, email: row.user.email },
      access: accessSnapshot((row.access as unknown as AccessSnapshot).items),
    };
    const text = JSON.stringify(body);
    const { url, secrets, timeoutMs } = accessEvents.webhook;
    let status: number;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ACCESS_SIGNATURE_HEADER]: signAccessBody(text, secrets[0]) },
        body: text,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (err) {
      const error = `the product's endpoint did not answer: ${describeFetchError(err)}`;
      await noteAttempt(db, accessEventId, error);
      throw new Error(error);
    }
    if (status >= 200 && status < 300) {
      await db.accessEvent.updateMany({
        where: { id: accessEventId, status: 'pending' },
        data: { status: 'delivered', deliveredAt: new Date(), attempts: { increment: 1 }, lastError: null },
      });
      log.info('access event delivered', { accessEventId, reason: row.reason, httpStatus: status });
      return { accessEventId, outcome: 'delivered', httpStatus: status };
    }
    const error = `the product's endpoint answered ${status}`;
    await noteAttempt(db, accessEventId, error);
    if (RETRYABLE_STATUS(status)) throw new Error(error);
    throw ApplicationFailure.nonRetryable(
      `${error} to access event ${accessEventId}: check APP_WEBHOOK_URL and that the product verifies with APP_WEBHOOK_SECRETS' first secret`,
      FailureType.AccessWebhookRejected,
    );
  };
}

async function noteAttempt(db: ActivityDeps['db'], accessEventId: string, error: string): Promise<void> {
  await db.accessEvent.updateMany({ where: { id: accessEventId }, data: { attempts: { increment: 1 }, lastError: error } });
}

/** `fetch failed` says nothing; its cause does (ECONNREFUSED, a timeout). No URL: it may carry a token.
 *  Read by shape, not `instanceof`: fetch's errors may come from another realm (a test's VM context). */
function describeFetchError(err: unknown): string {
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
