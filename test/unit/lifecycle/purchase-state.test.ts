import fc from 'fast-check';
import {
  applyPurchaseEvent,
  decidePurchaseAccess,
  emptyPurchaseState,
  refundedAmount,
  type PurchaseEventPatch,
} from '../../../src/lifecycle/purchase-state';

const t0 = 1_790_000_000;
const paid = { linked: true, quantity: 3, amount: 14_700 };
const apply = (...patches: PurchaseEventPatch[]) => patches.reduce(applyPurchaseEvent, emptyPurchaseState());
const chargeRefunded = (eventId: string, amountRefunded: number, created = t0): PurchaseEventPatch => ({
  eventId,
  eventType: 'charge.refunded',
  created,
  refund: { kind: 'charge', chargeAmount: 14_700, amountRefunded, fullyRefunded: amountRefunded >= 14_700 },
});
const dispute = (eventId: string, status: string, created: number, disputeId = 'dp_1'): PurchaseEventPatch => ({
  eventId,
  eventType: status === 'needs_response' ? 'charge.dispute.created' : 'charge.dispute.closed',
  created,
  dispute: { disputeId, status },
});
const decided = (state = emptyPurchaseState(), purchase = paid) => {
  const decision = decidePurchaseAccess(purchase, state);
  if (decision.kind !== 'decided') throw new Error(`expected a decision, got: ${decision.reason}`);
  return { status: decision.status, granted: decision.granted, activeQuantity: decision.activeQuantity };
};

describe('a one-time purchase’s access', () => {
  it('is none before its checkout is recorded, whatever refunds say', () => {
    expect(decided(apply(chargeRefunded('evt_r', 4_900)), { ...paid, linked: false })).toEqual({
      status: 'awaiting_checkout',
      granted: false,
      activeQuantity: 0,
    });
  });

  it('is every code bought when nothing was refunded or disputed', () => {
    expect(decided()).toEqual({ status: 'active', granted: true, activeQuantity: 3 });
  });

  it('loses the refunded share when the refund is a whole number of codes (1 of 3 → 2)', () => {
    expect(decided(apply(chargeRefunded('evt_r', 4_900)))).toEqual({ status: 'partially_refunded', granted: true, activeQuantity: 2 });
  });

  it('is revoked by a full refund', () => {
    expect(decided(apply(chargeRefunded('evt_r', 14_700)))).toEqual({ status: 'refunded', granted: false, activeQuantity: 0 });
  });

  it('asks an operator when the refund is no whole number of codes', () => {
    expect(decidePurchaseAccess(paid, apply(chargeRefunded('evt_r', 1_000)))).toEqual({
      kind: 'needs_decision',
      reason: expect.stringContaining('refunded 1000 of 14700 for 3 code(s)'),
      // Until an operator decides, the purchase keeps the codes no refund fully covers.
      activeQuantity: 3,
    });
  });

  it('adds up single succeeded refunds, each counted once however often it is delivered', () => {
    const refund = (id: string): PurchaseEventPatch => ({
      eventId: `evt_${id}`,
      eventType: 'refund.updated',
      created: t0,
      refund: { kind: 'refund', refundId: id, amount: 4_900 },
    });
    const state = apply(refund('re_1'), refund('re_1'), refund('re_2'), refund('re_1'));
    expect(refundedAmount(state)).toBe(9_800);
    expect(decided(state)).toMatchObject({ activeQuantity: 1 });
  });

  it('takes the largest running total a charge reported, so an older charge.refunded delivered late changes nothing', () => {
    const state = apply(chargeRefunded('evt_2', 9_800, t0 + 20), chargeRefunded('evt_1', 4_900, t0 + 10));
    expect(refundedAmount(state)).toBe(9_800);
  });

  it('is suspended while a dispute is open, and restored when it is won', () => {
    expect(decided(apply(dispute('evt_c', 'needs_response', t0)))).toMatchObject({ status: 'disputed', granted: false });
    expect(decided(apply(dispute('evt_c', 'needs_response', t0), dispute('evt_w', 'won', t0 + 10)))).toMatchObject({
      status: 'active',
      granted: true,
    });
  });

  it('stays won when the dispute’s older created event arrives after its closed one', () => {
    expect(decided(apply(dispute('evt_w', 'won', t0 + 10), dispute('evt_c', 'needs_response', t0)))).toMatchObject({ status: 'active' });
  });

  it('a lost dispute revokes for good: neither a later dispute event nor a won second dispute gives access back', () => {
    const lost = apply(dispute('evt_l', 'lost', t0 + 10));
    expect(decided(lost)).toMatchObject({ status: 'dispute_lost', granted: false });
    expect(decided(applyPurchaseEvent(lost, dispute('evt_x', 'needs_response', t0 + 99)))).toMatchObject({ status: 'dispute_lost' });
    expect(decided(applyPurchaseEvent(lost, dispute('evt_y', 'won', t0 + 99, 'dp_2')))).toMatchObject({ status: 'dispute_lost' });
  });

  it('same-second created and closed of one dispute: closed counts as the newer', () => {
    expect(decided(apply(dispute('evt_w', 'won', t0), dispute('evt_c', 'needs_response', t0)))).toMatchObject({ status: 'active' });
  });

  it('a dispute after a refund of no whole number of codes suspends what the refunds left', () => {
    const state = apply(chargeRefunded('evt_r', 1_000, t0), dispute('evt_c', 'needs_response', t0 + 10));
    expect(decided(state)).toEqual({ status: 'disputed', granted: false, activeQuantity: 3 });
    // Won, the refund is again what an operator decides.
    expect(decidePurchaseAccess(paid, applyPurchaseEvent(state, dispute('evt_w', 'won', t0 + 20)))).toMatchObject({
      kind: 'needs_decision',
    });
  });

  it('measures a refund against the charge, in the charge’s currency, not the session’s total in another', () => {
    // The session showed US$147.00; the charge was ¥22,050 (3 codes of ¥7,350); ¥14,700 refunded = 2 codes.
    const inUsd = { linked: true, quantity: 3, amount: 14_700, currency: 'usd' };
    const yen = (eventId: string, amountRefunded: number): PurchaseEventPatch => ({
      eventId,
      eventType: 'charge.refunded',
      created: t0,
      refund: { kind: 'charge', chargeAmount: 22_050, amountRefunded, fullyRefunded: false, currency: 'jpy' },
    });
    expect(decided(apply(yen('evt_r', 14_700)), inUsd)).toEqual({ status: 'partially_refunded', granted: true, activeQuantity: 1 });
    // Single refunds in yen, with no charge total yet: the session's dollars are no measure of them.
    const refundOnly: PurchaseEventPatch = {
      eventId: 'evt_re',
      eventType: 'refund.created',
      created: t0,
      refund: { kind: 'refund', refundId: 're_1', amount: 14_700, currency: 'jpy' },
    };
    expect(decidePurchaseAccess(inUsd, apply(refundOnly))).toMatchObject({ kind: 'needs_decision' });
    // The same refund in the session's own currency is measured against the session's total.
    const sameCurrency = { ...refundOnly, refund: { ...refundOnly.refund, amount: 4_900, currency: 'usd' } } as PurchaseEventPatch;
    expect(decided(apply(sameCurrency), inUsd)).toMatchObject({ status: 'partially_refunded', activeQuantity: 2 });
  });

  it('ends in the same state whatever order the events came in, with duplicates', () => {
    const events = [
      chargeRefunded('evt_r1', 4_900, t0 + 30),
      dispute('evt_c', 'needs_response', t0 + 10),
      dispute('evt_w', 'won', t0 + 20),
      { eventId: 'evt_re', eventType: 'refund.created', created: t0 + 40, refund: { kind: 'refund', refundId: 're_1', amount: 4_900 } },
    ] satisfies PurchaseEventPatch[];
    const inOrder = decidePurchaseAccess(paid, apply(...events));
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3, 0, 1, 2, 3], { minLength: 8 }), (order) => {
        expect(decidePurchaseAccess(paid, apply(...order.map((i) => events[i])))).toEqual(inOrder);
      }),
    );
    expect(inOrder).toMatchObject({ kind: 'decided', status: 'partially_refunded', activeQuantity: 2 });
  });
});
