import { applyPatch, deriveStatus, emptyState, type SubscriptionPatch } from '../../../src/lifecycle/subscription-state';
import { decideAccess } from '../../../src/lifecycle/access-policy';

const t0 = 1_790_000_000;
/** The realistic sequence as the patches its events become (see realistic-sequence.ts). */
const patches: SubscriptionPatch[] = [
  {
    eventId: 'evt_1',
    eventType: 'customer.subscription.created',
    created: t0,
    status: 'active',
    quantity: 1,
    billing: { cancelAtPeriodEnd: false, currentPeriodEnd: t0 + 99, stripePriceId: 'p' },
  },
  {
    eventId: 'evt_2',
    eventType: 'checkout.session.completed',
    created: t0 + 10,
    status: 'active',
    tierId: 'sumo_tier_2',
    quantity: 1,
    addons: ['priority_support'],
  },
  {
    eventId: 'evt_3',
    eventType: 'customer.subscription.updated',
    created: t0 + 20,
    status: 'active',
    quantity: 3,
    billing: { cancelAtPeriodEnd: true, currentPeriodEnd: t0 + 99, stripePriceId: 'p' },
  },
  { eventId: 'evt_4', eventType: 'invoice.payment_failed', created: t0 + 30, status: 'past_due' },
  { eventId: 'evt_5', eventType: 'invoice.paid', created: t0 + 40, status: 'active' },
  {
    eventId: 'evt_6',
    eventType: 'customer.subscription.deleted',
    created: t0 + 50,
    status: 'canceled',
    quantity: 3,
    billing: { cancelAtPeriodEnd: true, currentPeriodEnd: t0 + 99, stripePriceId: 'p' },
  },
];

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) return yield items;
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i], ...rest];
  }
}

const fold = (sequence: SubscriptionPatch[]) => {
  const state = sequence.reduce(applyPatch, emptyState());
  return { ...state, derived: deriveStatus(state.statusHistory) };
};

describe('subscription state (the ordering rules themselves)', () => {
  it('every one of the 720 orders of the realistic sequence, each event also delivered twice, ends in the same state', () => {
    const inOrder = fold(patches);
    expect(inOrder.derived.status).toBe('canceled');
    expect(inOrder).toMatchObject({ tierId: 'sumo_tier_2', quantity: 3, addons: ['priority_support'], cancelAtPeriodEnd: true });
    let count = 0;
    for (const order of permutations(patches)) {
      expect(fold(order)).toEqual(inOrder);
      expect(fold([...order, ...order.slice().reverse()])).toEqual(inOrder);
      count++;
    }
    expect(count).toBe(720);
  });

  it('without the deletion, every order of the first five ends active with 3 seats', () => {
    const five = patches.slice(0, 5);
    for (const order of permutations(five)) {
      expect(fold(order)).toMatchObject({ quantity: 3, derived: { status: 'active', pastDueSince: null } });
    }
  });

  it('a late, older update after the deletion leaves it canceled; so does a "newer" one (Stripe never revives)', () => {
    const deleted = patches[5];
    const older = { ...patches[2], eventId: 'evt_late', created: t0 + 45 };
    const newer = { ...patches[2], eventId: 'evt_newer', created: t0 + 60 };
    expect(fold([deleted, older]).derived.status).toBe('canceled');
    expect(fold([deleted, newer]).derived.status).toBe('canceled');
    expect(fold([newer, deleted]).derived.status).toBe('canceled');
  });

  it('past_due counts from the first failure of the current run of failures, in any order', () => {
    const fail = (id: string, at: number): SubscriptionPatch => ({
      eventId: id,
      eventType: 'invoice.payment_failed',
      created: at,
      status: 'past_due',
    });
    const paid = (id: string, at: number): SubscriptionPatch => ({ eventId: id, eventType: 'invoice.paid', created: at, status: 'active' });
    const events = [fail('a', t0), fail('b', t0 + 100), paid('c', t0 + 200), fail('d', t0 + 300), fail('e', t0 + 400)];
    for (const order of permutations(events)) expect(fold(order).derived).toEqual({ status: 'past_due', pastDueSince: t0 + 300 });
  });

  it('ties within one second fall back to the lifecycle order of the event types, then the event id', () => {
    const created: SubscriptionPatch = { eventId: 'evt_z', eventType: 'customer.subscription.created', created: t0, status: 'incomplete' };
    const checkout: SubscriptionPatch = { eventId: 'evt_a', eventType: 'checkout.session.completed', created: t0, status: 'active' };
    expect(fold([checkout, created]).derived.status).toBe('active');
    expect(fold([created, checkout]).derived.status).toBe('active');
  });
});

describe('access policy', () => {
  const day = 86_400_000;
  it.each([
    ['active', true],
    ['trialing', true],
    ['paused', false],
    ['unpaid', false],
    ['canceled', false],
    ['incomplete', false],
    ['incomplete_expired', false],
  ])('%s → granted %s', (status, granted) => {
    expect(decideAccess(status, null, Date.now(), 7 * day).granted).toBe(granted);
  });

  it('past_due keeps access until the grace period ends, and says when to look again', () => {
    const since = Date.UTC(2026, 10, 1);
    expect(decideAccess('past_due', since, since + 6 * day, 7 * day)).toMatchObject({ granted: true, reviewAt: since + 7 * day });
    expect(decideAccess('past_due', since, since + 7 * day, 7 * day)).toMatchObject({ granted: false, reviewAt: null });
  });
});

describe('a failed payment never buys a new grace period', () => {
  const mark = (n: number, eventType: string, status: string) => ({ eventId: `evt_g${n}`, eventType, created: t0 + n * 10, status });
  const derive = (...ps: SubscriptionPatch[]) => deriveStatus(ps.reduce(applyPatch, emptyState()).statusHistory);

  it.each(['unpaid', 'paused', 'incomplete', 'canceled'])('a failure while %s changes nothing', (status) => {
    const updated = mark(2, status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated', status);
    expect(derive(mark(1, 'checkout.session.completed', 'active'), updated, mark(3, 'invoice.payment_failed', 'past_due'))).toEqual({
      status,
      pastDueSince: null,
    });
  });

  it('a run of failures from an active subscription keeps the grace period of its first failure', () => {
    expect(
      derive(
        mark(1, 'checkout.session.completed', 'active'),
        mark(2, 'invoice.payment_failed', 'past_due'),
        mark(3, 'invoice.payment_failed', 'past_due'),
      ),
    ).toEqual({ status: 'past_due', pastDueSince: t0 + 20 });
  });

  it('after unpaid, a payment restores it and a later failure starts a new grace period', () => {
    const history = [
      mark(1, 'checkout.session.completed', 'active'),
      mark(2, 'customer.subscription.updated', 'unpaid'),
      mark(3, 'invoice.payment_failed', 'past_due'),
      mark(4, 'invoice.paid', 'active'),
      mark(5, 'invoice.payment_failed', 'past_due'),
    ];
    expect(derive(...history)).toEqual({ status: 'past_due', pastDueSince: t0 + 50 });
    expect(derive(...[...history].reverse())).toEqual({ status: 'past_due', pastDueSince: t0 + 50 });
  });
});

describe('two events of the same type in the same second', () => {
  const P1 = t0 + 30 * 86_400;
  const P2 = t0 + 60 * 86_400;
  // The renewal (new period) has the smaller event id, so id order alone would pick the other.
  const renewal: SubscriptionPatch = {
    eventId: 'evt_a_renewal',
    eventType: 'customer.subscription.updated',
    created: t0,
    sequence: P2,
    quantity: 5,
    billing: { cancelAtPeriodEnd: false, currentPeriodEnd: P2, stripePriceId: 'p' },
  };
  const before: SubscriptionPatch = {
    eventId: 'evt_z_before',
    eventType: 'customer.subscription.updated',
    created: t0,
    sequence: P1,
    quantity: 3,
    billing: { cancelAtPeriodEnd: false, currentPeriodEnd: P1, stripePriceId: 'p' },
  };

  it.each([
    ['in order', [before, renewal]],
    ['reversed', [renewal, before]],
  ])('are ordered by their billing period, not their ids (%s)', (_order, sequence) => {
    const state = sequence.reduce(applyPatch, emptyState());
    expect(state).toMatchObject({ quantity: 5, currentPeriodEnd: P2 });
  });
});

describe('only the latest invoice moves the status', () => {
  const invoicePatch = (
    eventId: string,
    type: 'invoice.paid' | 'invoice.payment_failed',
    created: number,
    invoice: string,
    invoiceCreated: number,
  ) =>
    ({
      eventId,
      eventType: type,
      created,
      status: type === 'invoice.paid' ? 'active' : 'past_due',
      invoice: { id: invoice, created: invoiceCreated },
    }) satisfies SubscriptionPatch;
  const active: SubscriptionPatch = { eventId: 'evt_0', eventType: 'customer.subscription.created', created: t0, status: 'active' };
  const orders = <T>(items: T[]): T[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((x, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));

  it('in every order: an older invoice failing after the newer one was paid leaves it active', () => {
    const events = [
      active,
      invoicePatch('evt_p', 'invoice.paid', t0 + 510, 'in_new', t0 + 500),
      invoicePatch('evt_f', 'invoice.payment_failed', t0 + 600, 'in_old', t0 + 5),
    ];
    for (const order of orders(events))
      expect(deriveStatus(order.reduce(applyPatch, emptyState()).statusHistory)).toEqual({ status: 'active', pastDueSince: null });
  });

  it('in every order: paying an older invoice leaves the one whose latest invoice failed past_due', () => {
    const events = [
      active,
      invoicePatch('evt_f', 'invoice.payment_failed', t0 + 510, 'in_new', t0 + 500),
      invoicePatch('evt_p', 'invoice.paid', t0 + 600, 'in_old', t0 + 5),
    ];
    for (const order of orders(events))
      expect(deriveStatus(order.reduce(applyPatch, emptyState()).statusHistory)).toEqual({ status: 'past_due', pastDueSince: t0 + 510 });
  });
});
