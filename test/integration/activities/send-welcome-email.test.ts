import { createSendWelcomeEmail, type SendWelcomeEmailInput, type WelcomeEmailResult } from '../../../activities/email/send-welcome-email';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { createPrisma } from '../../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { runActivity } from '../../support/run-activity';
import { testEnv } from '../../support/test-env';

const db = createPrisma(testEnv.databaseUrl, { max: 2 });
let postmark: LocalPostmark;
let sendWelcomeEmail: ReturnType<typeof createSendWelcomeEmail>;
beforeAll(async () => {
  postmark = await startLocalPostmark();
  sendWelcomeEmail = createSendWelcomeEmail({
    db,
    postmark: createPostmarkClient('token', postmark.url),
    mail: {
      from: 'hello@saas.example',
      welcomeTemplate: 'welcome',
      confirmationTemplate: 'purchase-confirmation',
      notActiveTemplate: 'purchase-not-active',
      paymentFailedTemplate: 'payment-failed',
      searchSettleMs: 0,
    },
  });
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
    const claim = await db.emailDelivery.create({
      data: { dedupKey: `welcome:${user.id}`, userId: user.id, kind: 'welcome', status: 'sending', eventId: 'evt_unsent' },
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
});
