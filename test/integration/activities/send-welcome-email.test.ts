import { createSendWelcomeEmail, type SendWelcomeEmailInput, type WelcomeEmailResult } from '../../../activities/send-welcome-email';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { createPrisma } from '../../../src/db/prisma';
import { startLocalPostmark, type LocalPostmark } from '../../../src/dev/local-postmark';
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
    mail: { from: 'hello@saas.example', welcomeTemplate: 'welcome', paymentFailedTemplate: 'payment-failed' },
  });
});
afterAll(async () => {
  await postmark.close();
  await db.$disconnect();
});

const run = (input: SendWelcomeEmailInput, heartbeatDetails?: unknown): Promise<WelcomeEmailResult> =>
  runActivity(sendWelcomeEmail, input, heartbeatDetails === undefined ? undefined : { heartbeatDetails });

describe('sendWelcomeEmail', () => {
  it('sends once; a later run returns the recorded MessageID without sending again', async () => {
    const user = await db.user.create({ data: { email: `once.${Date.now()}@example.com`, source: 'sumo' } });
    const first = await run({ eventId: 'evt_once', userId: user.id });
    const again = await run({ eventId: 'evt_once', userId: user.id });

    expect(first.sentNow).toBe(true);
    expect(again).toEqual({ messageId: first.messageId, sentNow: false, sentBy: 'evt_once' });
    expect(postmark.outbox.filter((m) => m.to === user.email)).toHaveLength(1);
  });

  it('records, without resending, a message Postmark accepted when the previous attempt could not record it', async () => {
    const user = await db.user.create({ data: { email: `accepted.${Date.now()}@example.com`, source: 'sumo' } });
    const claim = await db.emailDelivery.create({
      data: { dedupKey: `welcome:${user.id}`, userId: user.id, kind: 'welcome', status: 'sending', eventId: 'evt_accepted' },
    });

    const result = await run({ eventId: 'evt_accepted', userId: user.id }, { deliveryId: claim.id, messageId: 'pm-accepted-1' });

    expect(result).toEqual({ messageId: 'pm-accepted-1', sentNow: false, sentBy: 'evt_accepted' });
    expect(await db.emailDelivery.findUniqueOrThrow({ where: { id: claim.id } })).toMatchObject({
      status: 'sent',
      postmarkMessageId: 'pm-accepted-1',
    });
    expect(postmark.requests.filter((r) => r.to === user.email)).toHaveLength(0);
  });

  it('refuses to guess when an earlier attempt left no word of its outcome', async () => {
    const user = await db.user.create({ data: { email: `unknown.${Date.now()}@example.com`, source: 'sumo' } });
    await db.emailDelivery.create({
      data: { dedupKey: `welcome:${user.id}`, userId: user.id, kind: 'welcome', status: 'sending', eventId: 'evt_unknown' },
    });

    await expect(run({ eventId: 'evt_unknown', userId: user.id })).rejects.toMatchObject({
      type: 'EmailOutcomeUnknown',
      nonRetryable: true,
    });
    expect(postmark.requests.filter((r) => r.to === user.email)).toHaveLength(0);
  });
});
