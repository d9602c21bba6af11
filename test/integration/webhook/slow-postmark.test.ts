import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';

/**
 * Access never waits for an email. A Postmark that takes seconds to answer (well inside its
 * client's timeout) keeps the email slots busy; the steps that give the next buyers access run in
 * slots of their own. The harness's worker has a pool of 5: 2 activity slots (the emails), 3 local
 * activity slots (the access steps).
 */
const h = useHarness();
afterEach(() => h.postmark.reset());

describe('a burst of purchases while Postmark answers slowly', () => {
  it('gives every buyer access while most of their welcome emails are still waiting for Postmark', async () => {
    h.postmark.failAlways({ kind: 'slow', delayMs: 2_500 });
    const tag = Date.now();
    const emails = Array.from({ length: 12 }, (_, i) => `slow.${tag}.${i}@example.com`);
    const events = emails.map((email) => checkoutEvent({ email, metadata: sumoMetadata() }));
    const answers = await Promise.all(events.map((event) => h.deliver(event)));
    expect(answers.map((a) => a.statusCode)).toEqual(events.map(() => 200));

    const withAccess = () => h.db.user.count({ where: { email: { in: emails }, entitlements: { some: {} } } });
    await eventually(withAccess, (n) => n === emails.length, { timeoutMs: 30_000, intervalMs: 50 });
    // 12 sends at 2.5 s in 2 slots take 15 s; access for all came while at most half had gone out.
    const sentWhenAllHadAccess = h.postmark.outbox.filter((m) => emails.includes(m.to)).length;
    expect(sentWhenAllHadAccess).toBeLessThanOrEqual(emails.length / 2);

    h.postmark.failAlways(null);
    await h.settled(events.map((e) => e.id));
    await Promise.all(events.map((e) => h.result(e.id)));
    expect(h.postmark.outbox.filter((m) => emails.includes(m.to))).toHaveLength(emails.length);
  }, 90_000);
});
