import { activityInfo, ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import { Errors, type ServerClient } from 'postmark';
import { Prisma, type PrismaClient } from '../../src/generated/prisma/client';
import { maskEmail } from '../../src/log';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../errors';

export interface OnceEmail {
  /** At most one email per key, ever: "welcome:<user id>", "payment_failed:<invoice id>". */
  dedupKey: string;
  kind: string;
  userId: string | null;
  eventId: string;
  to: string;
  from: string;
  templateAlias: string;
  templateModel: Record<string, unknown>;
}

export interface OnceEmailResult {
  /** Null while another event's workflow holds the send (it reports the MessageID). */
  messageId: string | null;
  /** False when an earlier attempt, or another event, had already sent or claimed it. */
  sentNow: boolean;
  /** The event whose workflow sent (or is sending) the email. */
  sentBy: string;
}

/** Heartbeat details an attempt leaves after Postmark accepted the message, so the next
 *  attempt can finish the bookkeeping instead of sending again. */
interface SentDetails {
  deliveryId: string;
  messageId: string;
}

/**
 * Sends a templated email through Postmark at most once per dedup key. A delivery row
 * (unique per key) is claimed before the send and completed with Postmark's MessageID
 * after it; a definite refusal releases the claim so a retry sends again. If recording
 * the MessageID fails after Postmark accepted the message, the MessageID survives in the
 * attempt's heartbeat details and the retry records it without resending.
 */
export async function sendEmailOnce(db: PrismaClient, postmark: ServerClient, email: OnceEmail): Promise<OnceEmailResult> {
  const { dedupKey, eventId } = email;
  const previous = await db.emailDelivery.findUnique({ where: { dedupKey } });
  if (previous?.status === 'sent' && previous.postmarkMessageId) {
    log.info(`${email.kind} email already sent`, { dedupKey, messageId: previous.postmarkMessageId, sentBy: previous.eventId });
    return { messageId: previous.postmarkMessageId, sentNow: false, sentBy: previous.eventId };
  }
  // Another event (say, a second invoice.payment_failed for the same invoice) is sending it.
  if (previous && previous.eventId !== eventId) return claimedElsewhere(email, previous.eventId);
  const accepted = activityInfo().heartbeatDetails as SentDetails | undefined;
  if (previous && accepted?.deliveryId === previous.id) {
    await markSent(db, previous.id, accepted.messageId);
    log.info(`${email.kind} email had been accepted by Postmark; recorded it`, { dedupKey, messageId: accepted.messageId });
    return { messageId: accepted.messageId, sentNow: false, sentBy: eventId };
  }
  if (previous) throw outcomeUnknown(email, previous.id);

  const claim = await claimDelivery(db, email);
  if (typeof claim !== 'string') return claimedElsewhere(email, claim.claimedBy);
  let messageId: string;
  try {
    const response = await postmark.sendEmailWithTemplate({
      From: email.from,
      To: email.to,
      TemplateAlias: email.templateAlias,
      TemplateModel: email.templateModel,
      Tag: email.kind,
      MessageStream: 'outbound',
      Metadata: { event_id: eventId, delivery_id: claim },
    });
    messageId = response.MessageID;
    heartbeat({ deliveryId: claim, messageId } satisfies SentDetails);
  } catch (err) {
    if (isTimeout(err)) throw outcomeUnknown(email, claim);
    await db.emailDelivery.delete({ where: { id: claim } });
    throw classifyPostmarkError(err, email);
  }
  await markSent(db, claim, messageId);
  log.info(`${email.kind} email sent`, { dedupKey, to: maskEmail(email.to), messageId });
  return { messageId, sentNow: true, sentBy: eventId };
}

function claimedElsewhere(email: OnceEmail, sentBy: string): OnceEmailResult {
  log.info(`${email.kind} email left to the event that claimed it`, { dedupKey: email.dedupKey, sentBy });
  return { messageId: null, sentNow: false, sentBy };
}

async function markSent(db: PrismaClient, deliveryId: string, messageId: string): Promise<void> {
  await db.emailDelivery.update({ where: { id: deliveryId }, data: { status: 'sent', postmarkMessageId: messageId, sentAt: new Date() } });
}

async function claimDelivery(db: PrismaClient, email: OnceEmail): Promise<string | { claimedBy: string }> {
  try {
    const row = await db.emailDelivery.create({
      data: { dedupKey: email.dedupKey, userId: email.userId, kind: email.kind, status: 'sending', eventId: email.eventId },
      select: { id: true },
    });
    return row.id;
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    // Claimed between our read and this insert: by another event, which owns the send, or
    // by a concurrent attempt of this very activity, whose outcome we cannot know.
    const winner = await db.emailDelivery.findUnique({ where: { dedupKey: email.dedupKey }, select: { eventId: true } });
    if (winner && winner.eventId !== email.eventId) return { claimedBy: winner.eventId };
    throw outcomeUnknown(email, '(concurrent attempt)');
  }
}

/** Postmark did not answer in time: the email may or may not have gone out. Sending again
 *  could mail the customer twice, so an operator decides (Postmark's activity log has the
 *  delivery id in the message metadata). */
function outcomeUnknown(email: OnceEmail, deliveryId: string): ApplicationFailure {
  return invalidData(
    FailureType.EmailOutcomeUnknown,
    email.eventId,
    `an earlier attempt to send the ${email.kind} email (delivery ${deliveryId}) did not report back; ` +
      'check Postmark for a message with that delivery_id, then delete the email_deliveries row to send again',
  );
}

const isTimeout = (err: unknown): boolean =>
  err instanceof Errors.PostmarkError && err.statusCode === 0 && /abort|timeout/i.test(err.message);

/** 422 (inactive recipient, bad template, invalid address) is bad data; 401, 429, 5xx and
 *  network failures are outages worth retrying. */
function classifyPostmarkError(err: unknown, email: OnceEmail): Error {
  if (err instanceof Errors.ApiInputError) {
    return invalidData(
      FailureType.EmailRejected,
      email.eventId,
      `Postmark refused the ${email.kind} email (ErrorCode ${err.code}): ${err.message}`,
    );
  }
  if (err instanceof Errors.PostmarkError) {
    return new Error(`Postmark unavailable (HTTP ${err.statusCode || 'none'}, ErrorCode ${err.code}): ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
