import { runCli } from '../../../src/ops/cli';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { eventually } from '../../support/eventually';
import { SHIPPED_CATALOG, startHarness, useHarness } from '../../support/harness';
import { opsContextFor } from '../../support/ops-context';

// Two attempts, so "Postmark down past the retry window" takes about a second here.
const h = useHarness({ maxActivityAttempts: 2, retryWindowMs: 0 });
beforeEach(() => h.postmark.reset());

const ops = async (...argv: string[]) => {
  const { code, output } = await runCli([...argv, '--json'], opsContextFor(h));
  if (code !== 0) throw new Error(`ops ${argv.join(' ')} exited ${code}: ${output}`);
  return JSON.parse(output);
};

/** `ops list --status NeedsAttention` until it shows the event (visibility is eventually consistent). */
async function listedAsNeedingAttention(eventId: string): Promise<Record<string, string>> {
  const listed = async () => {
    const { fulfillments } = await ops('list', '--status', 'NeedsAttention', '--since', '1h');
    return fulfillments.find((f: { eventId: string }) => f.eventId === eventId) as Record<string, string> | undefined;
  };
  const row = await eventually(listed, (r) => r !== undefined, { timeoutMs: 10_000 });
  if (!row) throw new Error(`${eventId} never listed as NeedsAttention`);
  return row;
}

describe('a fulfillment stuck in NeedsAttention, found and pushed through with the ops CLI', () => {
  it('Postmark down past the retry window: listed, shown with its failing step, and `ops retry` completes it with exactly one email', async () => {
    const email = `outage.${Date.now()}@example.com`;
    h.postmark.failAlways({ kind: 'server-error' });
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    await h.deliver(event);

    expect(await listedAsNeedingAttention(event.id)).toMatchObject({ status: 'NeedsAttention', execution: 'RUNNING', source: 'sumo' });
    const shown = await ops('show', event.id);
    expect(shown.state.attention).toMatchObject({ step: 'sendWelcomeEmail', errorType: 'RetriesExhausted', attempts: 2 });
    expect(shown.state.attention.error).toMatch(/gave up after 2 attempts: Postmark unavailable \(HTTP 500/);
    expect(shown.subscription).toMatchObject({ hasAccess: true, tierId: 'sumo_tier_2' });
    expect(shown.user.email).not.toBe(email); // masked
    const human = await runCli(['show', event.id], opsContextFor(h));
    expect(human.output).toMatch(/ATTENTION +step sendWelcomeEmail failed after 2 attempt\(s\): gave up after 2 attempts/);
    expect(human.output).toContain(`npm run ops -- retry ${event.id}`);
    expect(human.output).not.toContain(email);

    h.postmark.reset(); // Postmark is back
    expect(await ops('retry', event.id, '--reason', 'Postmark incident resolved')).toMatchObject({
      outcome: 'applied',
      step: 'sendWelcomeEmail',
    });
    await expect(h.result(event.id)).resolves.toMatchObject({ userCreated: true, welcomeEmailMessageId: expect.any(String) });

    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    const after = await ops('show', event.id);
    expect(after.workflow.status).toBe('Completed');
    expect(after.audit).toEqual([
      expect.objectContaining({
        action: 'retry',
        step: 'sendWelcomeEmail',
        by: 'oncall@test',
        reason: 'Postmark incident resolved',
        applied: true,
      }),
    ]);
    expect(after.emails).toEqual([expect.objectContaining({ kind: 'welcome', status: 'sent' })]);
  });

  it('an invalid tier: listed, and after the tier is deployed `ops retry` completes it with exactly one email', async () => {
    const email = `tier.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata({ tierId: 'sumo_tier_7', quantity: '2', addons: '[]' }) });
    await h.deliver(event);

    await listedAsNeedingAttention(event.id);
    const shown = await ops('show', event.id);
    expect(shown.state.attention).toMatchObject({ step: 'resolvePurchase', errorType: 'UnknownTier', attempts: 1 });
    expect(shown.subscription).toBeNull(); // nothing written before validation passed

    // Skipping validation is refused by the workflow, in the same command (and audited); it keeps waiting.
    const skip = await runCli(['skip', event.id, '--reason', 'try skipping'], opsContextFor(h));
    expect(skip).toEqual({
      code: 1,
      output: `skip ${event.id}: refused: step resolvePurchase cannot be skipped: the fulfillment needs its result (by oncall@test: try skipping)`,
    });
    expect((await ops('show', event.id)).state.attention).toMatchObject({ step: 'resolvePurchase' });
    // Naming another step than the one waiting is refused too (a stale screen).
    const wrongStep = await runCli(
      ['cancel', event.id, '--step', 'sendWelcomeEmail', '--reason', 'old screen', '--json'],
      opsContextFor(h),
    );
    expect(wrongStep.code).toBe(1);
    expect(JSON.parse(wrongStep.output)).toMatchObject({
      outcome: 'refused',
      step: 'resolvePurchase',
      refusal: 'step resolvePurchase is waiting, not sendWelcomeEmail',
    });
    await h.restartWorker({
      ...SHIPPED_CATALOG,
      tiers: { ...SHIPPED_CATALOG.tiers, sumo_tier_7: { plan: 'sumo-max', seats: 4, features: ['core', 'sso'] } },
    });
    const retried = await runCli(['retry', event.id, '--step', 'resolvePurchase', '--reason', 'sumo_tier_7 added'], opsContextFor(h));
    expect(retried).toEqual({ code: 0, output: `retry ${event.id}: applied to step resolvePurchase (by oncall@test: sumo_tier_7 added)` });

    await expect(h.result(event.id)).resolves.toMatchObject({ plan: 'sumo-max', seatLimit: 8, userCreated: true });
    expect(h.postmark.outbox.filter((m) => m.to === email)).toHaveLength(1);
    expect(await h.runCount(event.id)).toBe(1);
    const final = await ops('show', event.id);
    const audit = final.audit;
    expect(audit.map((a: { action: string; applied: boolean; note: string | null }) => [a.action, a.applied, a.note])).toEqual([
      ['skip', false, 'step resolvePurchase cannot be skipped: the fulfillment needs its result'],
      ['cancel', false, 'step resolvePurchase is waiting, not sendWelcomeEmail'],
      ['retry', true, null],
    ]);
  });

  it('`ops retry` of a running fulfillment that is not waiting for an operator (riding out an outage): the workflow refuses it and says where it is', async () => {
    // Every step is a local activity, so a run takes requests between workflow tasks: here, while it
    // waits out a Postmark outage between two rounds of attempts (Retrying).
    const riding = await startHarness({ maxActivityAttempts: 2, retryWindowMs: 10 * 60_000 });
    try {
      riding.postmark.failAlways({ kind: 'unavailable' });
      const event = checkoutEvent({ metadata: sumoMetadata() });
      await riding.deliver(event);
      const run = async (...argv: string[]) => runCli([...argv, '--json'], opsContextFor(riding));
      await eventually(
        async () => JSON.parse((await run('show', event.id)).output),
        (shown) => shown.state?.status === 'Retrying',
        { timeoutMs: 20_000 },
      );
      const { code, output } = await runCli(['retry', event.id, '--reason', 'why not'], opsContextFor(riding));
      expect({ code, output }).toEqual({
        code: 1,
        output: `retry ${event.id}: refused: step sendWelcomeEmail is retrying by itself through an outage: nothing to retry; cancel stops the run (by oncall@test: why not)`,
      });
      riding.postmark.failAlways(null);
      // The next round (15 s later) sends it.
      await expect(riding.result(event.id)).resolves.toMatchObject({ welcomeEmailMessageId: expect.any(String) });
      expect(JSON.parse((await run('show', event.id)).output).audit).toEqual([
        expect.objectContaining({
          action: 'retry',
          step: 'sendWelcomeEmail',
          applied: false,
          note: expect.stringMatching(/is retrying by itself/),
        }),
      ]);
    } finally {
      await riding.close();
    }
  }, 60_000);

  it('`ops retry` refuses a fulfillment that is not waiting, and names what it is doing', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata() });
    await h.deliver(event);
    await h.result(event.id);
    const { code, output } = await runCli(['retry', event.id, '--reason', 'why not'], opsContextFor(h));
    expect(code).toBe(1);
    expect(output).toMatch(/is COMPLETED; nothing to retry/);
  });
});
