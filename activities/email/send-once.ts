import { ApplicationFailure, log } from '@temporalio/activity';
import { Errors, type ServerClient } from 'postmark';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { maskEmail } from '../../src/log';
import { FailureType } from '../../src/contracts';
import { untilCancelled, throwIfCancelled } from '../shared/cancellable';
import { invalidData } from '../shared/errors';

export interface OnceEmail {
  /** At most one email per key, ever: "welcome:<user id>", "payment_failed:<invoice id>". */
  dedupKey: string;
  kind: string;
  userId: string | null;
  eventId: string;
  from: string;
  templateAlias: string;
  /** To whom and with what; or, for an email to the user `userId`, how to address it from the user's row (read in the claim's own statement). */
  address: Addressed | ((user: { email: string; name: string | null }) => Addressed);
}

export interface Addressed {
  to: string;
  /** One of the typed models in src/emails. */
  templateModel: object;
}

/**
 * The email of one checkout session to its buyer (at most one of this kind per session), addressed
 * from the user's row, which sendEmailOnce reads in its claim's statement, not apart.
 */
export function sessionEmail(
  kind: string,
  input: { checkoutSessionId: string; userId: string; eventId: string },
  sender: { from: string; templateAlias: string },
  model: (user: { name: string }) => object,
): OnceEmail {
  return {
    dedupKey: `${kind}:${input.checkoutSessionId}`,
    kind,
    userId: input.userId,
    eventId: input.eventId,
    ...sender,
    address: (user) => ({ to: user.email, templateModel: model({ name: user.name ?? '' }) }),
  };
}

export interface OnceEmailResult {
  /** Null while another event's workflow holds the send (it reports the MessageID). */
  messageId: string | null;
  /** False when an earlier attempt, or another event, had already sent or claimed it. */
  sentNow: boolean;
  /** The event whose workflow sent (or is sending) the email. */
  sentBy: string;
}

/** How long to trust what: POSTMARK_SEARCH_LAG and the Postmark client's timeout. */
export interface SendTiming {
  searchLagMs: number;
  clientTimeoutMs: number;
}

/**
 * Sends a templated email through Postmark at most once per dedup key. A delivery row
 * (unique per key) is claimed before the send and completed with Postmark's MessageID
 * after it. An attempt that finds a claim and no MessageID (its predecessor's answer was lost,
 * recording it failed, or its worker died mid-send) asks Postmark's message search before it
 * sends again, and believes a "not found" only once the search has had `searchLagMs` to catch up
 * since that send ended: when its answer was lost (`outcome_lost_at`), or — for a send that never
 * reported, its worker dead — the client's timeout after it began (`send_started_at`); both kept
 * and compared by PostgreSQL's clock, with time zones. A definite refusal
 * releases a claim only when no earlier send under it might have gone out; otherwise the claim
 * stays, and the next attempt searches first. The row and Postmark's own record carry everything
 * from one attempt to the next.
 */
export async function sendEmailOnce(
  db: PrismaClient,
  postmark: ServerClient,
  email: OnceEmail,
  timing: SendTiming,
): Promise<OnceEmailResult> {
  const { dedupKey, eventId } = email;
  const { claimed, previous, user } = await claimOrRead(db, email, timing.clientTimeoutMs);
  const needsUser = typeof email.address === 'function';
  if (needsUser && !user) throw new Error(`user ${email.userId} not found for the ${email.kind} email`);
  const { to, templateModel } = typeof email.address === 'function' ? email.address(user!) : email.address;
  if (claimed === null && !previous) {
    // Claimed between our statement's snapshot and its insert: by another event, which owns the
    // send, or by a concurrent attempt of this very activity, whose outcome we cannot know.
    const winner = await db.emailDelivery.findUnique({ where: { dedupKey }, select: { eventId: true } });
    if (winner && winner.eventId !== eventId) return claimedElsewhere(email, winner.eventId);
    throw concurrentAttempt(email);
  }
  if (previous?.status === 'sent' && previous.postmarkMessageId) {
    log.info(`${email.kind} email already sent`, { dedupKey, messageId: previous.postmarkMessageId, sentBy: previous.eventId });
    return { messageId: previous.postmarkMessageId, sentNow: false, sentBy: previous.eventId };
  }
  // Another event (say, a second invoice.payment_failed for the same invoice) is sending it.
  if (previous && previous.eventId !== eventId) return claimedElsewhere(email, previous.eventId);
  let claim: string;
  if (previous) {
    // An earlier attempt claimed it and never learnt the outcome (a timeout, a dropped or cut
    // answer, a gateway error, or the worker died while sending): ask Postmark what it sent.
    const found = await findSent(postmark, email, to, previous.id);
    if (found) {
      await markSent(db, previous.id, found);
      log.info(`${email.kind} email had been sent by an earlier attempt; recorded it`, { dedupKey, messageId: found });
      return { messageId: found, sentNow: false, sentBy: eventId };
    }
    if (previous.quietForMs < timing.searchLagMs) {
      // Postmark's message search lags its sends: a fresh "not found" proves nothing yet.
      const wait = Math.ceil((timing.searchLagMs - previous.quietForMs) / 1000);
      throw new Error(
        `${email.kind} email (delivery ${previous.id}) not found in Postmark yet; searching again for ${wait} s before sending`,
      );
    }
    claim = previous.id;
    await db.$executeRaw`UPDATE email_deliveries SET send_started_at = now() WHERE id = ${claim}`;
  } else {
    claim = claimed!;
  }
  let messageId: string;
  try {
    throwIfCancelled(); // a send is never started for an attempt that has already ended
    const response = await untilCancelled(
      postmark.sendEmailWithTemplate({
        From: email.from,
        To: to,
        TemplateAlias: email.templateAlias,
        TemplateModel: templateModel,
        Tag: email.kind,
        MessageStream: 'outbound',
        Metadata: { event_id: eventId, delivery_id: claim },
      }),
    );
    // A cut-off body reaches us as text, not Postmark's JSON: accepted, maybe, but unreadable.
    if (typeof response?.MessageID !== 'string')
      throw new UnreadableAnswer(`Postmark's answer had no MessageID: ${JSON.stringify(response).slice(0, 80)}`);
    messageId = response.MessageID;
  } catch (err) {
    // The claim stays: the next attempt asks Postmark before it sends again.
    if (outcomeUnknown(err)) {
      await db.$executeRaw`UPDATE email_deliveries SET outcome_lost_at = now() WHERE id = ${claim}`;
      throw new Error(`Postmark's answer to the ${email.kind} email (delivery ${claim}) was lost: ${describe(err)}`);
    }
    // Refused for sure; but an earlier send under this claim may have gone out: only a claim
    // this attempt made is released, so the next attempt sends at once.
    if (!previous) await db.emailDelivery.delete({ where: { id: claim } });
    throw classifyPostmarkError(err, email);
  }
  await markSent(db, claim, messageId);
  log.info(`${email.kind} email sent`, { dedupKey, to: maskEmail(to), messageId });
  return { messageId, sentNow: true, sentBy: eventId };
}

function claimedElsewhere(email: OnceEmail, sentBy: string): OnceEmailResult {
  log.info(`${email.kind} email left to the event that claimed it`, { dedupKey: email.dedupKey, sentBy });
  return { messageId: null, sentNow: false, sentBy };
}

async function markSent(db: PrismaClient, deliveryId: string, messageId: string): Promise<void> {
  await db.emailDelivery.update({ where: { id: deliveryId }, data: { status: 'sent', postmarkMessageId: messageId, sentAt: new Date() } });
}

interface Claim {
  /** The delivery row this statement inserted (null: there was one, or one came at the same moment). */
  claimed: string | null;
  /** The delivery row that was there before (null: none), and how long since its last send could have been accepted. */
  previous: { id: string; status: string; postmarkMessageId: string | null; eventId: string; quietForMs: number } | null;
  user: { email: string; name: string | null } | null;
}

/**
 * Claims the send, or reads the claim already there, and reads the user the email goes to: one
 * statement. The insert skips a key that exists (ON CONFLICT DO NOTHING) and a user that does
 * not; the reads see the rows as they were before it.
 */
async function claimOrRead(db: PrismaClient, email: OnceEmail, clientTimeoutMs: number): Promise<Claim> {
  const needsUser = typeof email.address === 'function';
  const [row] = await db.$queryRaw<
    {
      claimed: string | null;
      id: string | null;
      status: string | null;
      postmarkMessageId: string | null;
      eventId: string | null;
      quietForMs: number | null;
      userEmail: string | null;
      userName: string | null;
    }[]
  >`
    WITH u AS (SELECT email, name FROM users WHERE id = ${email.userId}),
    claim AS (
      INSERT INTO email_deliveries (id, dedup_key, user_id, kind, status, event_id)
      SELECT gen_random_uuid(), ${email.dedupKey}, ${email.userId}, ${email.kind}, 'sending', ${email.eventId}
      WHERE NOT ${needsUser} OR EXISTS (SELECT 1 FROM u)
      ON CONFLICT (dedup_key) DO NOTHING
      RETURNING id
    )
    SELECT c.id AS claimed, d.id, d.status::text AS status, d.postmark_message_id AS "postmarkMessageId", d.event_id AS "eventId",
      (extract(epoch FROM now() - CASE WHEN d.outcome_lost_at >= d.send_started_at THEN d.outcome_lost_at
        ELSE d.send_started_at + ${clientTimeoutMs} * interval '1 millisecond' END) * 1000)::float8 AS "quietForMs",
      u.email AS "userEmail", u.name AS "userName"
    FROM (SELECT 1) AS one
      LEFT JOIN claim c ON true
      LEFT JOIN email_deliveries d ON d.dedup_key = ${email.dedupKey}
      LEFT JOIN u ON true`;
  return {
    claimed: row.claimed,
    previous:
      row.id === null
        ? null
        : { id: row.id, status: row.status!, postmarkMessageId: row.postmarkMessageId, eventId: row.eventId!, quietForMs: row.quietForMs! },
    user: row.userEmail === null ? null : { email: row.userEmail, name: row.userName },
  };
}

function concurrentAttempt(email: OnceEmail): ApplicationFailure {
  return invalidData(
    FailureType.EmailOutcomeUnknown,
    email.eventId,
    `another attempt of the ${email.kind} email claimed it at the same moment; check Postmark for its delivery_id before retrying`,
  );
}

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
async function findSent(postmark: ServerClient, email: OnceEmail, to: string, deliveryId: string): Promise<string | null> {
  try {
    const { Messages } = await untilCancelled(
      postmark.getOutboundMessages({
        count: 50,
        offset: 0,
        recipient: to,
        tag: email.kind,
        metadata_delivery_id: deliveryId,
      }),
    );
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
