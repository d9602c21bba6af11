import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, type FulfillmentInput, type OperatorAction, type ResolvedPurchase, type StepPolicy } from '../../src/contracts';
import type { Activities } from '../../workflows/activity-calls';

/**
 * What workflow-logic tests start runs with and run them against: one input builder with a policy
 * measured in milliseconds, and one set of activity doubles typed as the real activities.
 */

/** Two attempts a round, no retry window (an outage asks an operator after one round), pauses and waits of milliseconds. */
export const FAST_POLICY: StepPolicy = {
  attemptsPerRound: 2,
  firstRetryMs: 50,
  attemptTimeoutMs: 30_000,
  retryWindowMs: 0,
  firstPauseMs: 100,
  maxPauseMs: 400,
  attentionWaitMs: 30 * 86_400_000,
};

export const PURCHASE: ResolvedPurchase = {
  tierId: 'sumo_tier_2',
  plan: 'sumo-growth',
  quantity: 3,
  seatLimit: 9,
  addons: [],
  features: ['crm', 'reports'],
};

let sequence = 0;

/** A Sumo subscription checkout's input, unique per call; `policy` merges into FAST_POLICY. */
export function fulfillmentInput(
  overrides: Partial<Omit<FulfillmentInput, 'policy'>> & { policy?: Partial<StepPolicy> } = {},
): FulfillmentInput {
  sequence++;
  const { policy, ...rest } = overrides;
  return {
    eventId: `evt_unit_${Date.now()}_${sequence}`,
    eventType: 'checkout.session.completed',
    created: 1_700_000_000,
    account: null,
    livemode: false,
    checkoutSessionId: `cs_unit_${sequence}`,
    mode: 'subscription',
    paymentIntentId: null,
    amountTotal: 4900,
    currency: 'usd',
    source: 'sumo',
    email: 'buyer@example.com',
    name: 'Ada',
    stripeCustomerId: 'cus_unit',
    subscriptionId: `sub_unit_${sequence}`,
    clientReferenceId: null,
    tierId: 'sumo_tier_2',
    rawQuantity: '3',
    rawAddons: null,
    sumo: { campaignId: 'camp_unit', productId: null, userId: null },
    ...rest,
    policy: { ...FAST_POLICY, ...policy },
  };
}

/** Activity doubles for a new buyer's purchase that record every call; `overrides` replace some. */
export function fakeActivities(overrides: Partial<Activities> = {}) {
  const calls: string[] = [];
  const audit: OperatorAction[] = [];
  const outcomes: Array<{ status: string; error: string | null }> = [];
  const activities: Partial<Activities> = {
    resolvePurchase: async () => PURCHASE,
    findOrCreateUser: async () => ({ userId: 'user-1', created: true }),
    linkSubscription: async ({ input: i }) => ({ subscriptionRowId: 'row-1', stripeSubscriptionId: i.subscriptionId! }),
    provisionAccess: async () => ({ granted: PURCHASE.features, alreadyHeld: [], seatLimit: 9, hasAccess: true, reviewAt: null }),
    sendWelcomeEmail: async ({ eventId }) => ({ messageId: 'msg-1', sentNow: true, sentBy: eventId }),
    sendPurchaseConfirmation: async ({ eventId }) => ({ messageId: 'msg-confirmation', sentNow: true, sentBy: eventId }),
    recordOutcome: async ({ status, error }) => void outcomes.push({ status, error }),
    recordOperatorAction: async ({ action }) => void audit.push(action),
    ...overrides,
  };
  const recorded = Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (...args: unknown[]) => (calls.push(name), (fn as (...a: unknown[]) => unknown)(...args)),
    ]),
  ) as Partial<Activities>;
  return { activities: recorded, calls, audit, outcomes };
}

/** An activity that fails like a dependency that is down (a plain error: worth retrying) until `heal()`. */
export function outage(message = "Can't reach database server at 127.0.0.1:5432") {
  let down = true;
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    heal: () => void (down = false),
    /** Wraps an activity: fails while down, then runs it. */
    wrap<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
      return async (...args: A) => {
        calls++;
        if (down) throw new Error(message);
        return fn(...args);
      };
    },
  };
}

/** What bad data throws: a decision for an operator, never retried. */
export const badData = (message: string, type: string = FailureType.InvalidPurchaseData) => ApplicationFailure.nonRetryable(message, type);
