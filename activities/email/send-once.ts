import { activityInfo, ApplicationFailure, log } from '@temporalio/activity';
import { Errors, type ServerClient } from 'postmark';
import { Prisma, type PrismaClient } from '../../src/generated/prisma/client';
import { maskEmail } from '../../src/log';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../shared/errors';
import { keepingAlive } from './keep-alive';

export interface OnceEmail {
  /** At most one email per key, ever: "welcome:<user id>", "payment_failed:<invoice id>". */
  dedupKey: string;
  kind: string;
  userId: string | null;
  eventId: string;
  to: string;
  from: string;
  templateAlias: string;
  /** One of the typed models in src/emails. */
  templateModel: object;
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
 * attempt's heartbeat details and the retry records it without resending. The attempt
 * heartbeats throughout, so a worker's death is noticed by the heartbeat timeout.
 */
export function sendEmailOnce(
  db: PrismaClient,
  postmark: ServerClient,
  email: OnceEmail,
  options: { searchSettleMs: number } = { searchSettleMs: SEARCH_SETTLE_MS },
): Promise<OnceEmailResult> {
  return keepingAlive((record) => sendOnce(db, postmark, email, options, record));
}

async function sendOnce(
  db: PrismaClient,
  postmark: ServerClient,
  email: OnceEmail,
  options: { searchSettleMs: number },
  heartbeat: (details: SentDetails) => void,
): Promise<OnceEmailResult> {
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
  let claim: string;
  if (previous) {
    // An earlier attempt claimed it and never learnt the outcome (a timeout, a dropped or cut
    // answer, a gateway error, or the worker died while sending): ask Postmark what it sent.
    const found = await findSent(postmark, email, previous.id);
    if (found) {
      await markSent(db, previous.id, found);
      log.info(`${email.kind} email had been sent by an earlier attempt; recorded it`, { dedupKey, messageId: found });
      return { messageId: found, sentNow: false, sentBy: eventId };
    }
    if (Date.now() - previous.createdAt.getTime() < options.searchSettleMs) {
      // Postmark's message search lags its sends a little: a fresh "not found" proves nothing yet.
      throw new Error(`${email.kind} email (delivery ${previous.id}) not found in Postmark yet; looking again before sending`);
    }
    claim = previous.id;
  } else {
    const claimed = await claimDelivery(db, email);
    if (typeof claimed !== 'string') return claimedElsewhere(email, claimed.claimedBy);
    claim = claimed;
  }
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
    // A cut-off body reaches us as text, not Postmark's JSON: accepted, maybe, but unreadable.
    if (typeof response?.MessageID !== 'string')
      throw new UnreadableAnswer(`Postmark's answer had no MessageID: ${JSON.stringify(response).slice(0, 80)}`);
    messageId = response.MessageID;
    heartbeat({ deliveryId: claim, messageId } satisfies SentDetails);
  } catch (err) {
    // The claim stays: the next attempt asks Postmark before it sends again.
    if (outcomeUnknown(err)) throw new Error(`Postmark's answer to the ${email.kind} email (delivery ${claim}) was lost: ${describe(err)}`);
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
    throw concurrentAttempt(email);
  }
}

/** Two attempts of this very activity raced for the claim: the other's outcome is unknown here. */
function concurrentAttempt(email: OnceEmail): ApplicationFailure {
  return invalidData(
    FailureType.EmailOutcomeUnknown,
    email.eventId,
    `another attempt of the ${email.kind} email claimed it at the same moment; check Postmark for its delivery_id before retrying`,
  );
}

/** How long after a claim a "not found" from Postmark's message search is believed. */
export const SEARCH_SETTLE_MS = 15_000;

/**
 * Postmark may have accepted the message but its answer never arrived whole: a timeout, a reset
 * or cut-off answer (the client reports no status, or fetch's own "terminated"), or a gateway's
 * 502/504. A connection that was never made (refused, no such host) or Postmark's own error
 * status means it was not sent.
 */
class UnreadableAnswer extends Error {}

function outcomeUnknown(err: unknown): boolean {
  if (err instanceof UnreadableAnswer) return true;
  const neverConnected = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/;
  if (err instanceof Errors.PostmarkError) {
    if (err.statusCode === 502 || err.statusCode === 504) return true;
    return err.statusCode === 0 && !neverConnected.test(err.message);
  }
  // fetch's own errors (TypeError "terminated", "fetch failed") come from Node's realm: no instanceof.
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { code?: string } };
  return typeof message === 'string' && !neverConnected.test(`${message} ${cause?.code ?? ''}`);
}

const describe = (err: unknown): string =>
  err instanceof Errors.PostmarkError ? `HTTP ${err.statusCode || 'none'}: ${err.message}` : String(err);

/**
 * The MessageID of the message this delivery sent, found by Postmark's Messages API (the send
 * carries `delivery_id` in its metadata), or null. Postmark not answering is an outage: the
 * attempt fails and is retried, and only when retries run out does an operator look.
 */
async function findSent(postmark: ServerClient, email: OnceEmail, deliveryId: string): Promise<string | null> {
  try {
    const { Messages } = await postmark.getOutboundMessages({
      count: 50,
      offset: 0,
      recipient: email.to,
      tag: email.kind,
      metadata_delivery_id: deliveryId,
    });
    return Messages.find((m) => m.Metadata?.delivery_id === deliveryId)?.MessageID ?? null;
  } catch (err) {
    throw new Error(`cannot ask Postmark whether the ${email.kind} email (delivery ${deliveryId}) went out: ${describe(err)}`);
  }
}

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
