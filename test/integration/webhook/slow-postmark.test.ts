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

const purchases = (n: number, wave: string) => {
  const emails = Array.from({ length: n }, (_, i) => `slow.${wave}.${Date.now()}.${i}@example.com`);
  return { emails, events: emails.map((email) => checkoutEvent({ email, metadata: sumoMetadata() })) };
};
const withAccess = (emails: string[]) => h.db.user.count({ where: { email: { in: emails }, entitlements: { some: {} } } });
const sentTo = (emails: string[]) => h.postmark.outbox.filter((m) => emails.includes(m.to)).length;

describe('purchases arriving while Postmark answers slowly', () => {
  it('get access at once, not behind the emails of the buyers before them', async () => {
    h.postmark.failAlways({ kind: 'slow', delayMs: 2_500 });
    const first = purchases(12, 'first');
    await Promise.all(first.events.map((event) => h.deliver(event)));
    await eventually(withAccess.bind(null, first.emails), (n) => n === first.emails.length, { timeoutMs: 30_000, intervalMs: 50 });

    // The first buyers' 12 welcomes now take 15 s to go out through 2 slots. New buyers arrive.
    const next = purchases(6, 'next');
    await Promise.all(next.events.map((event) => h.deliver(event)));
    await eventually(withAccess.bind(null, next.emails), (n) => n === next.emails.length, { timeoutMs: 30_000, intervalMs: 50 });
    expect(sentTo(first.emails)).toBeLessThanOrEqual(4);

    h.postmark.failAlways(null);
    const all = [...first.events, ...next.events];
    await h.settled(all.map((e) => e.id));
    await Promise.all(all.map((e) => h.result(e.id)));
    expect(sentTo([...first.emails, ...next.emails])).toBe(18);
  }, 90_000);
});
