import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { SHIPPED_CATALOG, useHarness } from '../../support/harness';
import { cancelUpdate } from '../../../src/contracts';
import { runCli } from '../../../src/ops/cli';
import { opsContextFor } from '../../support/ops-context';
import { historySteps } from '../../support/history-steps';

const h = useHarness();

/** Bad data is not retried: the workflow stops at the step and waits for an operator. */
async function failureOf(eventId: string): Promise<{ type?: string; message: string; step: string }> {
  const attention = await h.attention(eventId);
  return { type: attention.errorType ?? undefined, message: attention.error, step: attention.step };
}

async function nothingWrittenFor(email: string) {
  expect(await h.db.user.count({ where: { email } })).toBe(0);
  expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(0);
}

describe('invalid Sumo metadata', () => {
  it.each([
    ['sumo_quantity', { quantity: 'abc' }, /metadata\.sumo_quantity must be a whole number.*"abc"/],
    ['sumo_quantity', { quantity: '0' }, /metadata\.sumo_quantity/],
    ['sumo_addons', { addons: '{"priority_support":true}' }, /metadata\.sumo_addons must be a JSON array/],
    ['sumo_addons', { addons: 'not json' }, /metadata\.sumo_addons must be a JSON array/],
    ['sumo_addons', { addons: '["teleportation"]' }, /metadata\.sumo_addons has unknown add-on\(s\) "teleportation"/],
  ])('%s %j stops the workflow without retrying, naming the field and the event, and writes nothing', async (_field, metadata, message) => {
    const email = `invalid.${Date.now()}.${Math.random()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata(metadata) });
    expect((await h.deliver(event)).statusCode).toBe(200);

    const cause = await failureOf(event.id);
    expect(cause.type).toBe('InvalidPurchaseData');
    expect(cause.message).toMatch(message);
    expect(cause.message).toContain(event.id);
    await nothingWrittenFor(email);
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('received');
    // History keeps one event per step (a local activity's marker), with its last attempt number:
    // resolvePurchase ran once (not retried) and nothing ran after it.
    const history = await h.client.workflow.getHandle(event.id).fetchHistory();
    expect(historySteps(history).map(({ name, attempt }) => ({ name, attempt }))).toEqual([{ name: 'resolvePurchase', attempt: 1 }]);
  });

  it('a missing email fails naming customer_details.email', async () => {
    const event = checkoutEvent({ email: null, metadata: sumoMetadata() });
    await h.deliver(event);
    expect((await failureOf(event.id)).message).toMatch(/customer_details\.email is missing/);
  });
});

describe('a tier that is not in the catalogue', () => {
  it('waits for an operator; cancelled, it stays cancelled for redeliveries, and ops retry (after the tier is added) completes it', async () => {
    const email = `newtier.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_9', quantity: '2', addons: '[]' }) });

    await h.deliver(event);
    const cause = await failureOf(event.id);
    expect(cause.type).toBe('UnknownTier');
    expect(cause.message).toMatch(/metadata\.sumo_product_tier_id "sumo_tier_9" is not in the tier catalogue/);
    await nothingWrittenFor(email);
    // While it waits, a redelivery is a duplicate of the waiting run.
    expect((await h.deliver(event)).json()).toEqual({ received: true, workflowId: event.id, duplicate: true });

    await h.client.workflow
      .getHandle(event.id)
      .executeUpdate(cancelUpdate, { args: [{ by: 'oncall@test', reason: 'tier launches next week' }] });
    await expect(h.result(event.id)).rejects.toMatchObject({ cause: { type: 'CancelledByOperator' } });
    expect((await h.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('cancelled');

    await h.restartWorker({
      ...SHIPPED_CATALOG,
      tiers: { ...SHIPPED_CATALOG.tiers, sumo_tier_9: { plan: 'sumo-enterprise', seats: 25, features: ['core', 'sso', 'audit_log'] } },
    });
    expect((await h.deliver(event)).json()).toEqual({ received: true, workflowId: event.id, duplicate: true });
    expect(await runCli(['retry', event.id, '--reason', 'tier launched'], opsContextFor(h))).toMatchObject({ code: 0 });

    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true, plan: 'sumo-enterprise', seatLimit: 50 });
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(await h.runCount(event.id)).toBe(2);
  });
});
