import { WorkflowFailedError } from '@temporalio/client';
import { checkoutEvent, sumoMetadata } from '../../src/dev/sample-events';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ postmarkTimeoutSeconds: 1 });
});
afterAll(() => h.close());
beforeEach(() => h.postmark.reset());

describe('welcome email when Postmark fails', () => {
  it('retries through three 500s and sends exactly one email', async () => {
    const email = `retry.${Date.now()}@example.com`;
    h.postmark.failNext(3, { kind: 'server-error' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const summary = await h.result(event.id);

    const sent = h.postmark.outbox.filter((m) => m.to === email);
    expect(sent).toHaveLength(1);
    expect(summary.welcomeEmailMessageId).toBe(sent[0].messageId);
    expect(h.postmark.requests.filter((r) => r.to === email).map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const delivery = await h.db.emailDelivery.findFirstOrThrow({ where: { user: { email } } });
    expect(delivery).toMatchObject({ kind: 'welcome', status: 'sent', postmarkMessageId: sent[0].messageId });
  });

  it('retries a 429 rate limit', async () => {
    const email = `ratelimited.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'rate-limit' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    await h.deliver(event);
    await h.result(event.id);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('does not retry an inactive recipient (422, ErrorCode 406): the fulfillment fails visibly', async () => {
    const email = `bounced.${Date.now()}@example.com`;
    h.postmark.failAlways({ kind: 'inactive-recipient' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const failure = await h.result(event.id).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as { type?: string; message: string };
    expect(cause.type).toBe('EmailRejected');
    expect(cause.message).toMatch(/ErrorCode 406/);
    expect(cause.message).toContain(event.id);
    expect(h.postmark.requests.filter((r) => r.to === email)).toHaveLength(1);
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('failed');
    // Access was provisioned; only the email could not go out, and nothing claims it was sent.
    expect(await h.db.emailDelivery.count({ where: { user: { email } } })).toBe(0);
  });

  it('does not send a second email when Postmark answered too late to know whether the first went out', async () => {
    const email = `slow.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'slow', delayMs: 2_000 });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const failure = await h.result(event.id).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'EmailOutcomeUnknown', message: expect.stringContaining('delivery') });
    await new Promise((r) => setTimeout(r, 2_500)); // let the slow request finish on Postmark's side
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(h.postmark.requests.filter((r) => r.to === email)).toHaveLength(1);
    const delivery = await h.db.emailDelivery.findFirstOrThrow({ where: { user: { email } } });
    expect(delivery.status).toBe('sending');
  });
});
