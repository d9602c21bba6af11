import type { FailureMode } from '../../../devstack/local-postmark';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';

/**
 * When Postmark's answer to a send is lost — the connection reset after it accepted the
 * message, the answer cut off, a gateway's 502/504 — the message may or may not have gone out.
 * The next attempt asks Postmark's Messages API (by recipient, tag and the delivery id in the
 * message's metadata) instead of sending again or waiting for a person.
 */
const h = useHarness({ maxActivityAttempts: 4, retryWindowMs: 0 });
beforeEach(() => h.postmark.reset());

const modes: Array<[string, FailureMode, number]> = [
  ['the connection is reset after Postmark accepted the message', { kind: 'accepted-then-reset' }, 1],
  ['the answer is cut off after Postmark accepted the message', { kind: 'accepted-then-truncated' }, 1],
  ['a gateway answers 502 after Postmark accepted the message', { kind: 'accepted-then-gateway-error', status: 502 }, 1],
  ['a gateway answers 504 after Postmark accepted the message', { kind: 'accepted-then-gateway-error', status: 504 }, 1],
  ['the connection is reset before Postmark accepted anything', { kind: 'reset-before-accepting' }, 2],
];

describe('a welcome email whose outcome Postmark’s answer did not tell', () => {
  it.each(modes)('%s: exactly one email, recorded, no operator', async (_case, mode, sendRequests) => {
    const email = `outcome.${mode.kind}.${Date.now()}@example.com`;
    h.postmark.failNext(1, mode);
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true });

    const sent = h.postmark.outbox.filter((m) => m.to === email);
    expect(sent).toHaveLength(1);
    expect(h.postmark.requests.filter((r) => r.to === email)).toHaveLength(sendRequests);
    expect(await h.db.emailDelivery.findFirstOrThrow({ where: { user: { email } } })).toMatchObject({
      status: 'sent',
      postmarkMessageId: sent[0].messageId,
    });
  });

  it('waits for an operator only when Postmark cannot say what it sent', async () => {
    const email = `outcome.nosearch.${Date.now()}@example.com`;
    h.postmark.failNext(1, { kind: 'accepted-then-reset' });
    h.postmark.searchUnavailable(true);
    const event = checkoutEvent({ email, metadata: sumoMetadata() });

    await h.deliver(event);
    const attention = await h.attention(event.id);
    expect(attention).toMatchObject({
      step: 'sendWelcomeEmail',
      errorType: 'RetriesExhausted',
      error: expect.stringContaining('cannot ask Postmark'),
    });
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
  });
});
