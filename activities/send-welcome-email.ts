import { activityInfo, ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import { maskEmail } from '../src/log';
import { Errors } from 'postmark';
import { Prisma } from '../src/generated/prisma/client';
import type { ActivityDeps } from './deps';
import { ErrorType, invalidData } from './errors';

export interface SendWelcomeEmailInput {
  eventId: string;
  userId: string;
}

export interface WelcomeEmailResult {
  messageId: string;
  /** False when an earlier attempt had already sent it. */
  sentNow: boolean;
}

const KIND = 'welcome';

/** Heartbeat details an attempt leaves after Postmark accepted the message, so the next
 *  attempt can finish the bookkeeping instead of sending again. */
interface SentDetails {
  deliveryId: string;
  messageId: string;
}

/**
 * Sends the welcome email through Postmark at most once per user. A delivery row
 * (unique per user and kind) is claimed before the send and completed with Postmark's
 * MessageID after it; a definite refusal releases the claim so a retry sends again.
 * If recording the MessageID fails after Postmark accepted the message, the MessageID
 * survives in the attempt's heartbeat details and the retry records it without resending.
 */
export function createSendWelcomeEmail({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendWelcomeEmail({ eventId, userId }: SendWelcomeEmailInput): Promise<WelcomeEmailResult> {
    const previous = await db.emailDelivery.findUnique({ where: { userId_kind: { userId, kind: KIND } } });
    if (previous?.status === 'sent' && previous.postmarkMessageId) {
      log.info('welcome email already sent', { userId, messageId: previous.postmarkMessageId });
      return { messageId: previous.postmarkMessageId, sentNow: false };
    }
    const accepted = activityInfo().heartbeatDetails as SentDetails | undefined;
    if (previous && accepted?.deliveryId === previous.id) {
      await markSent(db, previous.id, accepted.messageId);
      log.info('welcome email had been accepted by Postmark; recorded it', { userId, messageId: accepted.messageId });
      return { messageId: accepted.messageId, sentNow: false };
    }
    if (previous) throw outcomeUnknown(previous.id, eventId);

    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
    const claim = await claimDelivery(db, userId, eventId);

    let messageId: string;
    try {
      const response = await postmark.sendEmailWithTemplate({
        From: mail.from,
        To: user.email,
        TemplateAlias: mail.welcomeTemplate,
        TemplateModel: { name: user.name ?? '', email: user.email },
        Tag: KIND,
        MessageStream: 'outbound',
        Metadata: { event_id: eventId, delivery_id: claim },
      });
      messageId = response.MessageID;
      heartbeat({ deliveryId: claim, messageId } satisfies SentDetails);
    } catch (err) {
      if (isTimeout(err)) throw outcomeUnknown(claim, eventId);
      await db.emailDelivery.delete({ where: { id: claim } });
      throw classifyPostmarkError(err, eventId);
    }
    await markSent(db, claim, messageId);
    log.info('welcome email sent', { userId, to: maskEmail(user.email), messageId });
    return { messageId, sentNow: true };
  };
}

async function markSent(db: ActivityDeps['db'], deliveryId: string, messageId: string): Promise<void> {
  await db.emailDelivery.update({ where: { id: deliveryId }, data: { status: 'sent', postmarkMessageId: messageId, sentAt: new Date() } });
}

async function claimDelivery(db: ActivityDeps['db'], userId: string, eventId: string): Promise<string> {
  try {
    const row = await db.emailDelivery.create({ data: { userId, kind: KIND, status: 'sending', eventId }, select: { id: true } });
    return row.id;
  } catch (err) {
    // Another attempt claimed it between our read and this insert: it owns the send.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw outcomeUnknown('(concurrent attempt)', eventId);
    throw err;
  }
}

/** Postmark did not answer in time: the email may or may not have gone out. Sending again
 *  could mail the user twice, so an operator decides (Postmark's activity log has the
 *  delivery id in the message metadata). */
function outcomeUnknown(deliveryId: string, eventId: string): ApplicationFailure {
  return invalidData(
    ErrorType.EmailOutcomeUnknown,
    eventId,
    `an earlier attempt to send the welcome email (delivery ${deliveryId}) did not report back; ` +
      'check Postmark for a message with that delivery_id, then delete the email_deliveries row to send again',
  );
}

const isTimeout = (err: unknown): boolean =>
  err instanceof Errors.PostmarkError && err.statusCode === 0 && /abort|timeout/i.test(err.message);

/** 422 (inactive recipient, bad template, invalid address) is bad data; 401, 429, 5xx and
 *  network failures are outages worth retrying. */
function classifyPostmarkError(err: unknown, eventId: string): Error {
  if (err instanceof Errors.ApiInputError) {
    return invalidData(ErrorType.EmailRejected, eventId, `Postmark refused the welcome email (ErrorCode ${err.code}): ${err.message}`);
  }
  if (err instanceof Errors.PostmarkError) {
    return new Error(`Postmark unavailable (HTTP ${err.statusCode || 'none'}, ErrorCode ${err.code}): ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
