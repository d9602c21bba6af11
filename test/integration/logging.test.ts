import { Writable } from 'node:stream';
import type { LogEntry } from '@temporalio/worker';
import pino from 'pino';
import { createFindOrCreateUser } from '../../activities/checkout/find-or-create-user';
import { createSendWelcomeEmail } from '../../activities/email/send-welcome-email';
import { buildApp } from '../../src/app';
import { createPostmarkClient } from '../../src/clients/postmark';
import { createPrisma } from '../../src/db/prisma';
import { startLocalPostmark } from '../../devstack/local-postmark';
import { checkoutEvent, signPayload, sumoMetadata } from '../../devstack/sample-events';
import type { FulfillmentStarter } from '../../src/temporal/start-fulfillment';
import { runActivity } from '../support/run-activity';
import { testEnv } from '../support/test-env';

const db = createPrisma(testEnv.databaseUrl, { max: 2 });
afterAll(() => db.$disconnect());

describe('logs an on-call engineer reads', () => {
  it('the webhook logs event ids and outcomes, never the buyer’s email or the signature', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const fulfillments: FulfillmentStarter = {
      start: async ({ input }) => ({ workflowId: input.eventId, duplicate: false }),
      ping: async () => {},
      exists: async () => false,
    };
    const app = await buildApp({ db, fulfillments, webhookSecrets: ['whsec_logging_test'], logger });
    const email = `private.person.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    const body = JSON.stringify(event);
    const signature = signPayload(body, 'whsec_logging_test');

    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'stripe-signature': signature },
      payload: body,
    });
    await app.close();

    expect(response.statusCode).toBe(200);
    const log = lines.join('');
    expect(log).toContain(event.id);
    expect(log).toContain('webhook accepted');
    // One line per webhook: the route's, not Fastify's "incoming request" and "request completed" besides.
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['webhook accepted']);
    expect(log).not.toContain(email);
    expect(log).not.toContain(signature.split(',')[1]);
  });

  it('activities log the user id and a masked email only', async () => {
    const postmark = await startLocalPostmark();
    try {
      const email = `masked.${Date.now()}@example.com`;
      const logs: LogEntry[] = [];
      const user = await runActivity(
        createFindOrCreateUser({ db }),
        {
          eventId: `evt_log_${Date.now()}`,
          email,
          name: 'Private Person',
          source: 'sumo',
          stripeCustomerId: null,
          sumoUserId: null,
          clientReferenceId: null,
        },
        undefined,
        logs,
      );
      const send = createSendWelcomeEmail({
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
      await runActivity(send, { eventId: 'evt_log', userId: user.userId }, undefined, logs);

      const text = JSON.stringify(logs.map((l) => ({ message: l.message, meta: l.meta })));
      expect(text).toContain(user.userId);
      expect(text).toContain('m***@example.com');
      expect(text).not.toContain(email);
      expect(postmark.outbox.map((m) => m.to)).toEqual([email]);
    } finally {
      await postmark.close();
    }
  });
});
