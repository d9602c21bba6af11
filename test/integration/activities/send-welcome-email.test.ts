import { createSendWelcomeEmail, type SendWelcomeEmailInput, type WelcomeEmailResult } from '../../../activities/email/send-welcome-email';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { createPrisma } from '../../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { localMailDeps } from '../../support/local-mail';
import { runActivity } from '../../support/run-activity';
import { testEnv } from '../../support/test-env';

const db = createPrisma(testEnv.databaseUrl, { max: 2 });
let postmark: LocalPostmark;
let sendWelcomeEmail: ReturnType<typeof createSendWelcomeEmail>;
beforeAll(async () => {
  postmark = await startLocalPostmark();
  sendWelcomeEmail = createSendWelcomeEmail({ db, ...localMailDeps(postmark.url) });
});
afterAll(async () => {
  await postmark.close();
  await db.$disconnect();
});

const run = (input: SendWelcomeEmailInput): Promise<WelcomeEmailResult> => runActivity(sendWelcomeEmail, input);

describe('sendWelcomeEmail', () => {
  it('sends once; a later run returns the recorded MessageID without sending again', async () => {
    const user = await db.user.create({ data: { email: `once.${Date.now()}@example.com`, source: 'sumo' } });
    const first = await run({ eventId: 'evt_once', userId: user.id });
    const again = await run({ eventId: 'evt_once', userId: user.id });

    expect(first.sentNow).toBe(true);
    expect(again).toEqual({ messageId: first.messageId, sentNow: false, sentBy: 'evt_once' });
    expect(postmark.outbox.filter((m) => m.to === user.email)).toHaveLength(1);
  });

  it('asks Postmark when an earlier attempt left no word of its outcome: sent → records it without resending', async () => {
    const user = await db.user.create({ data: { email: `died.${Date.now()}@example.com`, source: 'sumo' } });
    const claim = await db.emailDelivery.create({
      data: { dedupKey: `welcome:${user.id}`, userId: user.id, kind: 'welcome', status: 'sending', eventId: 'evt_died' },
    });
    // What the earlier attempt got Postmark to send before its worker died.
    const sent = await createPostmarkClient('token', postmark.url).sendEmailWithTemplate({
      From: 'hello@saas.example',
      To: user.email,
      TemplateAlias: 'welcome',
      TemplateModel: {},
      Tag: 'welcome',
      Metadata: { event_id: 'evt_died', delivery_id: claim.id },
    });

    await expect(run({ eventId: 'evt_died', userId: user.id })).resolves.toEqual({
      messageId: sent.MessageID,
      sentNow: false,
      sentBy: 'evt_died',
    });
    expect(await db.emailDelivery.findUniqueOrThrow({ where: { id: claim.id } })).toMatchObject({
      status: 'sent',
      postmarkMessageId: sent.MessageID,
    });
    expect(postmark.outbox.filter((m) => m.to === user.email)).toHaveLength(1);
  });

  it('asks Postmark when an earlier attempt left no word of its outcome: not sent → sends it once', async () => {
    const user = await db.user.create({ data: { email: `unsent.${Date.now()}@example.com`, source: 'sumo' } });
    // Its worker died mid-send a minute ago: longer than the client would have waited for an answer.
    const claim = await db.emailDelivery.create({
      data: {
        dedupKey: `welcome:${user.id}`,
        userId: user.id,
        kind: 'welcome',
        status: 'sending',
        eventId: 'evt_unsent',
        sendStartedAt: new Date(Date.now() - 60_000),
      },
    });

    const result = await run({ eventId: 'evt_unsent', userId: user.id });
    expect(result).toMatchObject({ sentNow: true, sentBy: 'evt_unsent' });
    expect(postmark.outbox.filter((m) => m.to === user.email).map((m) => m.metadata?.delivery_id)).toEqual([claim.id]);
  });

  it('fails as an outage, to be retried, while Postmark cannot say what it sent', async () => {
    const user = await db.user.create({ data: { email: `nosearch.${Date.now()}@example.com`, source: 'sumo' } });
    await db.emailDelivery.create({
      data: { dedupKey: `welcome:${user.id}`, userId: user.id, kind: 'welcome', status: 'sending', eventId: 'evt_nosearch' },
    });
    postmark.searchUnavailable(true);
    try {
      const failure = await run({ eventId: 'evt_nosearch', userId: user.id }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/cannot ask Postmark whether the welcome email .* went out: HTTP 503/);
      expect((failure as { nonRetryable?: boolean }).nonRetryable).not.toBe(true);
    } finally {
      postmark.searchUnavailable(false);
    }
    expect(postmark.requests.filter((r) => r.to === user.email)).toHaveLength(0);
  });

  describe('while Postmark answers after the client gave up and its search lags', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** A client that waits 1 s for an answer; a "not found" believed 4 s after a send that could have been accepted. */
    const slowPostmarkSend = (searchLagMs: number) => {
      const { mail } = localMailDeps(postmark.url);
      const send = createSendWelcomeEmail({
        db,
        postmark: createPostmarkClient('token', postmark.url, 1),
        mail: { ...mail, searchLagMs, clientTimeoutMs: 1_000 },
      });
      return (input: SendWelcomeEmailInput) => runActivity(send, input);
    };
    afterEach(() => postmark.reset());

    it('counts the search lag from the end of the last send whose answer was lost, not from the claim: one email', async () => {
      const send = slowPostmarkSend(4_000);
      postmark.searchLag(2_500);
      const user = await db.user.create({ data: { email: `lagging.${Date.now()}@example.com`, source: 'sumo' } });
      const input = { eventId: 'evt_lagging', userId: user.id };
      // Attempt 1: the connection is cut before Postmark accepts: lost, and not sent.
      postmark.failNext(1, { kind: 'reset-before-accepting' });
      await expect(send(input)).rejects.toThrow(/answer to the welcome email .* was lost/);
      await sleep(5_100); // its "not found" is believed now
      // Attempt 2 sends again; Postmark accepts after the client gave up, and its search shows it 2.5 s later.
      postmark.failNext(1, { kind: 'slow', delayMs: 1_500 });
      await expect(send(input)).rejects.toThrow(/was lost/);
      // Attempt 3 finds nothing yet, and must not take that for "not sent" (the claim is 6 s old by now).
      await expect(send(input)).rejects.toThrow(/not found in Postmark yet/);
      await sleep(3_500);
      await expect(send(input)).resolves.toMatchObject({ sentNow: false });
      expect(postmark.outbox.filter((m) => m.to === user.email)).toHaveLength(1);
      expect(await db.emailDelivery.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ status: 'sent' });
    }, 30_000);

    it('keeps the claim when a send after a lost answer is refused, so the next attempt searches before sending: one email', async () => {
      const send = slowPostmarkSend(500); // a window shorter than the search's real lag
      postmark.searchLag(3_000);
      const user = await db.user.create({ data: { email: `refused.${Date.now()}@example.com`, source: 'sumo' } });
      const input = { eventId: 'evt_refused_after_lost', userId: user.id };
      // Attempt 1: Postmark accepts, the answer is cut off.
      postmark.failNext(1, { kind: 'accepted-then-reset' });
      await expect(send(input)).rejects.toThrow(/was lost/);
      await sleep(1_600);
      // Attempt 2: the search does not show it yet, so it sends again — and Postmark refuses (503).
      postmark.failNext(1, { kind: 'unavailable' });
      await expect(send(input)).rejects.toThrow(/Postmark unavailable/);
      // Attempt 3 still holds the claim: it searches rather than sending a third time.
      await expect(send(input)).rejects.toThrow(/not found in Postmark yet/);
      await sleep(1_600);
      await expect(send(input)).resolves.toMatchObject({ sentNow: false });
      expect(postmark.outbox.filter((m) => m.to === user.email)).toHaveLength(1);
    }, 30_000);
  });
});
