import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { FailureType } from '../../../src/contracts';
import { eventually } from '../../support/eventually';
import { useHarness } from '../../support/harness';
import { opsJson } from '../../support/ops-context';

/** Runs riding out an outage (Retrying) for as long as an hour, so an operator may decide to stop them. */
const h = useHarness({ maxActivityAttempts: 2, retryWindowMs: 3_600_000 });

describe('a bulk cancel of runs that are Retrying', () => {
  it('cancels each, audited, and the runs fail as cancelled by an operator', async () => {
    h.postmark.failAlways({ kind: 'unavailable' });
    const events = Array.from({ length: 3 }, (_, i) =>
      checkoutEvent({ email: `retrying.${i}.${Date.now()}@example.com`, metadata: sumoMetadata() }),
    );
    for (const event of events) await h.deliver(event);
    const ids = events.map((e) => e.id);
    const filters = ['--status', 'Retrying', '--since', '1h'];
    const preview = await eventually(
      () => opsJson(h, ['cancel', ...filters, '--reason', 'campaign refunded', '--dry-run']),
      (out) => ids.every((id) => out.fulfillments.some((f: { eventId: string }) => f.eventId === id)),
      { timeoutMs: 30_000 },
    );
    expect(preview).toMatchObject({ dryRun: true, action: 'cancel', count: 3 });

    const done = await opsJson(h, ['cancel', ...filters, '--reason', 'campaign refunded']);
    expect(done).toMatchObject({ action: 'cancel', count: 3, counts: { applied: 3 } });
    for (const id of ids) {
      await expect(h.result(id)).rejects.toMatchObject({ cause: { type: FailureType.CancelledByOperator } });
    }
    expect(await h.db.operatorAction.count({ where: { eventId: { in: ids }, action: 'cancel', applied: true } })).toBe(3);
    h.postmark.failAlways(null);
  }, 90_000);
});
