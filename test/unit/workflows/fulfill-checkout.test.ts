import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { cancelUpdate, FailureType, retryUpdate, skipUpdate, statusQuery } from '../../../src/contracts';
import { eventually } from '../../support/eventually';
import { fakeActivities, fulfillmentInput as input, PURCHASE } from '../../support/workflow-inputs';
import { useWorkflowTestEnv } from '../../support/workflow-test-env';

const env = useWorkflowTestEnv();
const start = (taskQueue: string, i: ReturnType<typeof input>) => env().startCheckout(taskQueue, i);
const waitForAttention = async (eventId: string) => {
  const state = await env().statusWhen(eventId, (s) => s.attention !== null);
  if (!state.attention) throw new Error(`${eventId} never needed attention: ${JSON.stringify(state)}`);
  return state;
};

/** What a refused operator request rejects with: the workflow's reason, nothing applied. */
const refused = (reason: RegExp) => ({
  cause: { type: FailureType.OperatorRequestRefused, message: expect.stringMatching(reason) },
});

describe('fulfillCheckout (workflow logic, stubbed activities)', () => {
  it('runs the steps in order for a new buyer, marks the event fulfilled once access is there, then welcomes them', async () => {
    const fake = fakeActivities();
    const result = await env().withWorker(fake.activities, (tq) => start(tq, input()).then((h) => h.result()));
    expect(fake.calls).toEqual([
      'resolvePurchase',
      'findOrCreateUser',
      'linkSubscription',
      'provisionAccess',
      'recordOutcome',
      'sendWelcomeEmail',
    ]);
    expect(result).toMatchObject({
      userId: 'user-1',
      userCreated: true,
      plan: 'sumo-growth',
      seatLimit: 9,
      welcomeEmailMessageId: 'msg-1',
      confirmationEmailMessageId: null,
    });
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
  });

  it('runs every step that gives access as a local activity, each one event in the history with its summary; the email is an activity task of its own slots', async () => {
    const fake = fakeActivities();
    const history = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, input());
      await handle.result();
      return handle.fetchHistory();
    });
    const events = history.events ?? [];
    const json = (data: Uint8Array | null | undefined): unknown => JSON.parse(Buffer.from(data ?? []).toString());
    const localSteps = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => ({
        step: (json(e.markerRecordedEventAttributes!.details!.data.payloads![0].data) as { activity_type: string }).activity_type,
        summary: json(e.userMetadata?.summary?.data),
      }));
    expect(localSteps).toEqual([
      { step: 'resolvePurchase', summary: 'Validate sumo purchase: tier sumo_tier_2 ×3' },
      { step: 'findOrCreateUser', summary: 'Find or create the buyer by email' },
      { step: 'linkSubscription', summary: expect.stringMatching(/^Link sub_unit_\d+ to new user user-1$/) },
      { step: 'provisionAccess', summary: 'Provision sumo-growth · 9 seats · 2 features' },
      { step: 'recordOutcome', summary: 'Mark the event fulfilled' },
    ]);
    const activityTasks = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activityTasks).toEqual(['sendWelcomeEmail']);
    // A run that never needed help closes without a status upsert (its ExecutionStatus says Completed).
    expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toEqual([]);
  });

  it('sends a buyer who already had a user a confirmation of what they bought, not a welcome', async () => {
    const confirmations: unknown[] = [];
    const fake = fakeActivities({
      findOrCreateUser: async () => ({ userId: 'user-2', created: false }),
      sendPurchaseConfirmation: async (i) => (confirmations.push(i), { messageId: 'msg-confirmation', sentNow: true, sentBy: i.eventId }),
    });
    const i = input();
    const result = await env().withWorker(fake.activities, (tq) => start(tq, i).then((h) => h.result()));
    expect(fake.calls).not.toContain('sendWelcomeEmail');
    expect(confirmations).toEqual([
      {
        eventId: i.eventId,
        userId: 'user-2',
        checkoutSessionId: i.checkoutSessionId,
        plan: 'sumo-growth',
        licences: 3,
        seats: 9,
        addons: [],
        lifetime: false,
        sumo: true,
      },
    ]);
    expect(result).toMatchObject({ welcomeEmailMessageId: null, confirmationEmailMessageId: 'msg-confirmation' });
  });

  it('sends a new user the welcome and no confirmation', async () => {
    const fake = fakeActivities();
    const result = await env().withWorker(fake.activities, (tq) => start(tq, input()).then((h) => h.result()));
    expect(fake.calls).not.toContain('sendPurchaseConfirmation');
    expect(result).toMatchObject({ welcomeEmailMessageId: 'msg-1', confirmationEmailMessageId: null });
  });

  it('stops before any write on bad data, waits for an operator, and goes on after a retry', async () => {
    let tierKnown = false;
    const fake = fakeActivities({
      resolvePurchase: async ({ eventId }) => {
        if (!tierKnown) throw ApplicationFailure.nonRetryable(`unknown tier (event ${eventId})`, FailureType.UnknownTier);
        return PURCHASE;
      },
    });
    const i = input();
    const result = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      const state = await waitForAttention(i.eventId);
      expect(state.attention).toMatchObject({ step: 'resolvePurchase', errorType: FailureType.UnknownTier, attempts: 1 });
      expect(fake.calls).toEqual(['resolvePurchase']); // nothing written
      tierKnown = true;
      await expect(handle.executeUpdate(retryUpdate, { args: [{ by: 'oncall', reason: 'tier added' }] })).resolves.toMatchObject({
        action: 'retry',
        step: 'resolvePurchase',
        applied: true,
      });
      return handle.result();
    });
    expect(result.userCreated).toBe(true);
    expect(fake.calls.filter((c) => c === 'resolvePurchase')).toHaveLength(2);
    expect(fake.audit).toMatchObject([{ action: 'retry', step: 'resolvePurchase', by: 'oncall', reason: 'tier added', applied: true }]);
  });

  it('refuses at once to skip a step the fulfillment needs, keeps waiting, and fails as CancelledByOperator on cancel', async () => {
    const fake = fakeActivities({
      resolvePurchase: async () => Promise.reject(ApplicationFailure.nonRetryable('bad quantity', FailureType.InvalidPurchaseData)),
    });
    const i = input();
    const failure = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      await waitForAttention(i.eventId);
      await expect(handle.executeUpdate(skipUpdate, { args: [{ by: 'oncall', reason: 'try' }] })).rejects.toMatchObject(
        refused(/^step resolvePurchase cannot be skipped/),
      );
      expect((await handle.query(statusQuery)).attention).toMatchObject({ step: 'resolvePurchase', skippable: false });
      await expect(handle.executeUpdate(cancelUpdate, { args: [{ by: 'oncall', reason: 'refunded' }] })).resolves.toMatchObject({
        action: 'cancel',
        applied: true,
      });
      return handle.result().then(
        () => null,
        (err: unknown) => err,
      );
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: FailureType.CancelledByOperator });
    // A refusal never enters the workflow's history (the ops CLI records it); the cancel is audited.
    expect(fake.audit.map((a) => [a.action, a.applied])).toEqual([['cancel', true]]);
    expect(fake.outcomes).toEqual([{ status: 'cancelled', error: expect.stringContaining('refunded') }]);
  });

  it('turns an outage that outlasts the attempts into RetriesExhausted, and an operator can skip the welcome email', async () => {
    const fake = fakeActivities({ sendWelcomeEmail: async () => Promise.reject(new Error('Postmark unavailable (HTTP 503)')) });
    const i = input();
    const result = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      const state = await waitForAttention(i.eventId);
      expect(state.attention).toMatchObject({ step: 'sendWelcomeEmail', errorType: FailureType.RetriesExhausted, attempts: 2 });
      await handle.executeUpdate(skipUpdate, { args: [{ by: 'oncall', reason: 'customer told by support' }] });
      return handle.result();
    });
    expect(result.welcomeEmailMessageId).toBeNull();
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
  });

  it('runs the end-of-grace access check as a step: a failure waits for an operator and never marks the fulfilled event failed', async () => {
    let reviews = 0;
    const fake = fakeActivities({
      provisionAccess: async () => {
        if (reviews++ === 0)
          return { granted: [], alreadyHeld: [], seatLimit: 9, hasAccess: true, reviewAt: new Date(Date.now() + 500).toISOString() };
        if (reviews === 2) throw ApplicationFailure.nonRetryable('tier not in the catalogue', FailureType.UnknownTier);
        return { granted: [], alreadyHeld: [], seatLimit: 9, hasAccess: false, reviewAt: null };
      },
    });
    const i = input();
    const result = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      const state = await waitForAttention(i.eventId);
      expect(state.attention).toMatchObject({ step: 'reviewAccessWhenGraceEnds', errorType: FailureType.UnknownTier });
      await handle.executeUpdate(retryUpdate, { args: [{ by: 'oncall', reason: 'tier restored' }] });
      return handle.result();
    });
    expect(result.userCreated).toBe(true);
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
    expect(reviews).toBe(3);
    const described = await env().client.workflow.getHandle(i.eventId).describe();
    expect(described.searchAttributes.FulfillmentStatus).toEqual(['Completed']);
  });

  it('refuses a request that arrives while another is being applied, and a later failure waits for its own answer', async () => {
    const failOnce = new Set(['resolvePurchase', 'provisionAccess']);
    const once =
      <T>(name: string, value: () => T) =>
      async () => {
        if (failOnce.delete(name)) throw ApplicationFailure.nonRetryable(`${name} failed`, FailureType.InvalidPurchaseData);
        return value();
      };
    const fake = fakeActivities({
      resolvePurchase: once('resolvePurchase', () => PURCHASE),
      provisionAccess: once('provisionAccess', () => ({ granted: [], alreadyHeld: [], seatLimit: 9, hasAccess: true, reviewAt: null })),
    });
    const slowAudit = fake.activities.recordOperatorAction!;
    fake.activities.recordOperatorAction = async (input) => {
      await new Promise((r) => setTimeout(r, 1_000)); // the audit write is slow
      return slowAudit(input);
    };
    const i = input();
    const result = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      await waitForAttention(i.eventId);
      const retry = await handle.startUpdate(retryUpdate, {
        args: [{ by: 'oncall', reason: 'fixed' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      await expect(handle.executeUpdate(cancelUpdate, { args: [{ by: 'oncall', reason: 'second thoughts' }] })).rejects.toMatchObject(
        refused(/^not waiting for an operator: retry by oncall is being applied to step resolvePurchase/),
      );
      await expect(retry.result()).resolves.toMatchObject({ action: 'retry', step: 'resolvePurchase', applied: true });
      const later = await eventually(
        () => handle.query(statusQuery),
        (s) => s.attention?.step === 'provisionAccess',
        { timeoutMs: 15_000 },
      );
      expect(later.audit.map((a) => [a.action, a.step, a.applied])).toEqual([['retry', 'resolvePurchase', true]]);
      await handle.executeUpdate(retryUpdate, { args: [{ by: 'oncall', reason: 'provisioning fixed' }] });
      return handle.result();
    });
    expect(result.userCreated).toBe(true);
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
  });

  it('refuses a request that names another step than the one waiting', async () => {
    let fixed = false;
    const fake = fakeActivities({
      resolvePurchase: async () => {
        if (!fixed) throw ApplicationFailure.nonRetryable('bad tier', FailureType.UnknownTier);
        return PURCHASE;
      },
    });
    const i = input();
    await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, i);
      await waitForAttention(i.eventId);
      await expect(
        handle.executeUpdate(cancelUpdate, { args: [{ by: 'oncall', reason: 'stale screen', step: 'provisionAccess' }] }),
      ).rejects.toMatchObject(refused(/^step resolvePurchase is waiting, not provisionAccess$/));
      const state = await handle.query(statusQuery);
      expect(state.attention).toMatchObject({ step: 'resolvePurchase' });
      expect(state.audit).toEqual([]);
      fixed = true;
      await handle.executeUpdate(retryUpdate, { args: [{ by: 'oncall', reason: 'fixed', step: 'resolvePurchase' }] });
      return handle.result();
    });
    expect(fake.outcomes).toEqual([{ status: 'completed', error: null }]);
  });
});

describe('fulfillCheckout of a payment-mode session (a lifetime deal)', () => {
  it('records the purchase instead of linking a subscription, provisions it and welcomes the new user', async () => {
    const fake = fakeActivities({
      recordPurchase: async ({ input: i }) => ({ purchaseRowId: 'purchase-1', paymentIntentId: i.paymentIntentId ?? null }),
      syncPurchaseAccess: async ({ purchase }) => ({
        linked: 'id' in purchase && purchase.id === 'purchase-1',
        status: 'active',
        hasAccess: true,
        activeQuantity: 3,
        seatLimit: 9,
        granted: PURCHASE.features,
        revoked: [],
        reason: 'paid',
      }),
    });
    const lifetime = input({ mode: 'payment', subscriptionId: null, paymentIntentId: 'pi_unit_1', amountTotal: 14_700 });
    // The query needs the worker: asked before it stops.
    const { result, state } = await env().withWorker(fake.activities, async (tq) => {
      const handle = await start(tq, lifetime);
      return { result: await handle.result(), state: await handle.query(statusQuery) };
    });
    const lifetimeSteps = [
      'resolvePurchase',
      'findOrCreateUser',
      'recordPurchase',
      'syncPurchaseAccess',
      'recordOutcome',
      'sendWelcomeEmail',
    ];
    expect(fake.calls).toEqual(lifetimeSteps);
    expect(result).toMatchObject({
      subscriptionId: null,
      lifetime: { paymentIntentId: 'pi_unit_1', status: 'active', activeQuantity: 3 },
      seatLimit: 9,
      entitlementsGranted: PURCHASE.features,
      welcomeEmailMessageId: 'msg-1',
      confirmationEmailMessageId: null,
    });
    expect(state.steps.map((step) => step.name)).toEqual(lifetimeSteps);
  });
});
