import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { searchAttributes } from '../../../src/contracts';
import { runCli } from '../../../src/ops/cli';
import type { OpsContext } from '../../../src/ops/context';
import { eventually } from '../../support/eventually';
import { SHIPPED_CATALOG, useHarness } from '../../support/harness';
import { opsContextFor, opsJson } from '../../support/ops-context';

const h = useHarness({ maxActivityAttempts: 2, retryWindowMs: 0 });

const UNKNOWN_TIER = 'sumo_tier_9';

/** Delivers `n` Sumo purchases of an unknown tier and waits until each waits for an operator. */
async function launchWithUnknownTier(n: number): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) =>
    checkoutEvent({
      email: `launch.${i}.${Date.now()}@example.com`,
      metadata: sumoMetadata({ tierId: UNKNOWN_TIER, quantity: '1', addons: '[]' }),
    }),
  );
  for (const event of events) await h.deliver(event);
  for (const event of events) await h.attention(event.id);
  return events.map((e) => e.id);
}

/** The bulk command's dry run, until visibility lists every one of `expected` (it is eventually consistent). */
async function dryRun(argv: string[], expected: string[]) {
  return eventually(
    () => opsJson(h, [...argv, '--dry-run']),
    (out) => expected.every((id) => out.fulfillments.some((f: { eventId: string }) => f.eventId === id)),
    { timeoutMs: 15_000 },
  );
}

describe('bulk retry, skip and cancel over the runs `ops list` finds', () => {
  it('a launch with an unknown tier: the dry run lists exactly those runs and acts on none; after the tier is deployed the real run retries each, audited, and all complete with one email each', async () => {
    const stuck = await launchWithUnknownTier(4);
    // Another run waiting for an operator, for another reason: not selected by --error UnknownTier.
    h.postmark.failAlways({ kind: 'server-error' });
    const other = checkoutEvent({ email: `other.${Date.now()}@example.com`, metadata: sumoMetadata() });
    await h.deliver(other);
    expect((await h.attention(other.id)).errorType).toBe('RetriesExhausted');

    const filters = ['--status', 'NeedsAttention', '--since', '1h', '--error', 'UnknownTier', '--step', 'resolvePurchase'];
    const preview = await dryRun(['retry', ...filters, '--reason', 'sumo_tier_9 added'], stuck);
    expect(preview).toMatchObject({ dryRun: true, action: 'retry', count: 4 });
    expect(preview.fulfillments.map((f: { eventId: string }) => f.eventId).sort()).toEqual([...stuck].sort());
    for (const f of preview.fulfillments) expect(f.attention).toMatchObject({ step: 'resolvePurchase', errorType: 'UnknownTier' });
    const human = await runCli(['retry', ...filters, '--reason', 'sumo_tier_9 added', '--dry-run'], opsContextFor(h));
    expect(human.output).toMatch(/^dry run: would retry 4 fulfillment\(s\) where /);
    for (const id of stuck) expect(human.output).toContain(id);
    // Nothing was acted on: each still waits, with no audit record.
    for (const id of stuck) expect((await h.attention(id)).state.audit).toEqual([]);
    expect(await h.db.operatorAction.count({ where: { eventId: { in: stuck } } })).toBe(0);

    await h.restartWorker({
      ...SHIPPED_CATALOG,
      tiers: { ...SHIPPED_CATALOG.tiers, [UNKNOWN_TIER]: { plan: 'sumo-launch', seats: 2, features: ['core'] } },
    });
    h.postmark.reset();
    const started = Date.now();
    const done = await opsJson(h, ['retry', ...filters, '--reason', 'sumo_tier_9 added', '--rate', '2']);
    const elapsed = Date.now() - started;

    expect(done).toMatchObject({ dryRun: false, count: 4, counts: { applied: 4 }, by: 'oncall@test' });
    // Paced: 4 runs at 2 per second take at least a second after the first two tokens.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    for (const id of stuck) await expect(h.result(id)).resolves.toMatchObject({ plan: 'sumo-launch', userCreated: true });
    expect(new Set(h.postmark.outbox.map((m) => m.to)).size).toBe(h.postmark.outbox.length);
    expect(h.postmark.outbox.filter((m) => m.to.startsWith('launch.'))).toHaveLength(4);
    const audits = await h.db.operatorAction.findMany({ where: { eventId: { in: stuck } } });
    expect(audits).toHaveLength(4);
    for (const a of audits)
      expect(a).toMatchObject({ action: 'retry', step: 'resolvePurchase', by: 'oncall@test', reason: 'sumo_tier_9 added', applied: true });

    // The other run was not touched; a bulk cancel by its step ends it, audited.
    expect((await h.attention(other.id)).state.audit).toEqual([]);
    const cancelled = await eventually(
      () =>
        opsJson(h, [
          'cancel',
          '--status',
          'NeedsAttention',
          '--step',
          'sendWelcomeEmail',
          '--since',
          '1h',
          '--reason',
          'customer refunded',
        ]),
      (out) => out.count >= 1,
      { timeoutMs: 15_000 },
    );
    expect(cancelled.results).toEqual([expect.objectContaining({ eventId: other.id, outcome: 'applied', step: 'sendWelcomeEmail' })]);
    await expect(h.result(other.id)).rejects.toThrow();
    // Access was granted before the email: the event stays fulfilled, and its row says why the run ended.
    expect(await h.db.stripeEvent.findUnique({ where: { id: other.id } })).toMatchObject({
      status: 'completed',
      lastError: expect.stringContaining('cancelled by'),
    });
  });

  it('a run whose status query fails or times out is reported unknown — counted, listed, asked again — never dropped', async () => {
    await h.restartWorker(SHIPPED_CATALOG); // the tier unknown again, whatever an earlier case deployed
    const stuck = await launchWithUnknownTier(2);
    // Listed by Temporal as NeedsAttention, but no worker can answer its status query (no workflow of ours has its type).
    const mute = `evt_test_mute_${Date.now()}`;
    const handle = await h.client.workflow.start('notAWorkflowOfOurs', {
      workflowId: mute,
      taskQueue: h.taskQueue,
      args: [],
      typedSearchAttributes: [{ key: searchAttributes.FulfillmentStatus, value: 'NeedsAttention' }],
    });
    const ctx: OpsContext = { ...opsContextFor(h), stateQuery: { deadlineMs: 2_000, retryDelaysMs: [50, 100] } };
    const ops = async (argv: string[], context = ctx) => {
      const { code, output } = await runCli([...argv, '--json'], context);
      expect({ code, output }).toMatchObject({ code: 0 });
      return JSON.parse(output);
    };
    const filters = ['--status', 'NeedsAttention', '--since', '1h', '--error', 'UnknownTier'];
    try {
      const preview = await eventually(
        () => ops(['retry', ...filters, '--reason', 'tier added', '--dry-run']),
        (out) =>
          stuck.every((id) => out.fulfillments.some((f: { eventId: string }) => f.eventId === id)) &&
          out.unknown?.fulfillments.some((f: { eventId: string }) => f.eventId === mute),
        { timeoutMs: 15_000 },
      );
      expect(preview.count).toBe(stuck.length);
      expect(preview.unknown.count).toBe(1);
      expect(preview.unknown.fulfillments[0]).toMatchObject({ eventId: mute, unknown: { asked: 3, reason: expect.any(String) } });
      const human = await runCli(['retry', ...filters, '--reason', 'tier added', '--dry-run'], ctx);
      expect(human.output).toMatch(/^dry run: would retry 2 fulfillment\(s\) where .*; 1 unknown/);
      expect(human.output).toContain(mute);

      // `list` with a filter the runs answer: the same run, listed as unknown rather than left out. (`list` spans
      // every task queue: other test files' runs, whose workers are gone, are unknown to it too.)
      const listed = await ops(['list', ...filters]);
      expect(listed.fulfillments.map((f: { eventId: string }) => f.eventId)).toEqual(expect.arrayContaining(stuck));
      expect(listed.unknown.fulfillments).toEqual(expect.arrayContaining([expect.objectContaining({ eventId: mute })]));
      expect(listed.unknown.count).toBe(listed.unknown.fulfillments.length);
      const listedHuman = (await runCli(['list', ...filters], ctx)).output;
      expect(listedHuman).toMatch(/^\d+ fulfillment\(s\) where .*; \d+ unknown/);
      expect(listedHuman).toContain(mute);

      // A query that times out (a deadline no answer can meet) is unknown too: every run counted, none dropped, none acted on.
      const hurried: OpsContext = { ...ctx, stateQuery: { deadlineMs: 1, retryDelaysMs: [10] } };
      const cancel = await ops(['cancel', ...filters, '--reason', 'workers saturated'], hurried);
      expect(cancel).toMatchObject({ dryRun: false, count: 0, unknown: { count: 3 } });
      expect(cancel.unknown.fulfillments.map((f: { eventId: string }) => f.eventId).sort()).toEqual([...stuck, mute].sort());
      const cancelHuman = await runCli(['cancel', ...filters, '--reason', 'workers saturated'], hurried);
      expect(cancelHuman.output).toMatch(/^cancel: 0 of 0 fulfillment\(s\) where .*; 3 unknown/);
      for (const id of stuck) expect((await h.attention(id)).state.audit).toEqual([]);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('refuses a bulk action without --status or without a reason, before asking Temporal anything', async () => {
    const noStatus = await runCli(['retry', '--error', 'UnknownTier', '--reason', 'x', '--json'], opsContextFor(h));
    expect(noStatus.code).toBe(1);
    expect(JSON.parse(noStatus.output).error).toMatch(/needs --status/);
    const noReason = await runCli(['skip', '--status', 'NeedsAttention', '--json'], opsContextFor(h));
    expect(noReason.code).toBe(1);
    expect(JSON.parse(noReason.output).error).toMatch(/--reason is required/);
  });
});
