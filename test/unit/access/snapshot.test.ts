import type { AccessItem } from '../../../src/contracts';
import { accessSnapshot, changeReason, purchaseState, sameAccess } from '../../../src/access/snapshot';

const item = (over: Partial<AccessItem> = {}): AccessItem => ({
  kind: 'purchase',
  id: 'pi_1',
  plan: 'sumo-growth',
  source: 'sumo',
  term: 'lifetime',
  state: 'active',
  graceUntil: null,
  licences: 3,
  seats: 9,
  features: ['reports', 'core'],
  ...over,
});
const snap = (...items: AccessItem[]) => accessSnapshot(items);

describe('the access snapshot', () => {
  it('adds up the seats and unites the features of the items that give access, subscriptions first', () => {
    const s = snap(
      item({ id: 'pi_2', features: ['integrations'], seats: 6 }),
      item({ kind: 'subscription', id: 'sub_1', term: 'renewing', state: 'grace', graceUntil: '2026-12-14T00:00:00.000Z', seats: 5 }),
      item({ id: 'pi_3', state: 'suspended', seats: 9 }),
    );
    expect(s).toMatchObject({ active: true, seats: 11, features: ['core', 'integrations', 'reports'] });
    expect(s.items.map((i) => [i.id, i.seats, i.features])).toEqual([
      ['sub_1', 5, ['core', 'reports']],
      ['pi_2', 6, ['integrations']],
      ['pi_3', 0, []],
    ]);
  });

  it('says no access when no item is active or in grace', () => {
    expect(snap(item({ state: 'revoked' }), item({ id: 'pi_2', state: 'suspended' }))).toMatchObject({
      active: false,
      seats: 0,
      features: [],
    });
  });

  it('keeps a grace date only while in grace', () => {
    expect(snap(item({ state: 'active', graceUntil: '2026-12-14T00:00:00.000Z' })).items[0].graceUntil).toBeNull();
  });

  it('compares snapshots whatever order their keys come in (a JSONB column reorders them)', () => {
    const s = snap(item());
    const reversed = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    expect(sameAccess(reversed({ ...s, items: s.items.map(reversed) }), s)).toBe(true);
    expect(sameAccess(s, snap(item({ seats: 6 })))).toBe(false);
    expect(sameAccess(null, s)).toBe(false);
  });
});

describe('the reason of an access change', () => {
  it.each([
    ['nothing told yet → an item with access', null, snap(item()), 'granted'],
    ['a second item with access', snap(item()), snap(item(), item({ id: 'pi_2' })), 'granted'],
    ['fewer seats (a refund of one code of three)', snap(item()), snap(item({ licences: 2, seats: 6 })), 'changed'],
    ['active → suspended (a dispute opened)', snap(item()), snap(item({ state: 'suspended' })), 'suspended'],
    ['suspended → active (a dispute won)', snap(item({ state: 'suspended' })), snap(item()), 'restored'],
    ['suspended → revoked (a dispute lost)', snap(item({ state: 'suspended' })), snap(item({ state: 'revoked' })), 'revoked'],
    ['active → revoked (a full refund)', snap(item()), snap(item({ state: 'revoked' })), 'revoked'],
    ['revoked → active (paid after the grace period ended)', snap(item({ state: 'revoked' })), snap(item()), 'restored'],
    [
      'active → grace (a payment failed)',
      snap(item({ kind: 'subscription', term: 'renewing' })),
      snap(item({ kind: 'subscription', term: 'renewing', state: 'grace', graceUntil: '2026-12-14T00:00:00.000Z' })),
      'grace_started',
    ],
    [
      'grace → revoked (the grace period ended)',
      snap(item({ kind: 'subscription', term: 'renewing', state: 'grace', graceUntil: '2026-12-14T00:00:00.000Z' })),
      snap(item({ kind: 'subscription', term: 'renewing', state: 'revoked' })),
      'revoked',
    ],
    [
      'a revoked item among others that stay',
      snap(item(), item({ id: 'pi_2' })),
      snap(item(), item({ id: 'pi_2', state: 'revoked' })),
      'revoked',
    ],
  ] as const)('%s', (_what, before, after, reason) => {
    expect(changeReason(before, after)).toBe(reason);
  });
});

describe("a purchase's state", () => {
  it.each([
    ['active', 'active'],
    ['partially_refunded', 'active'],
    ['refund_needs_decision', 'active'],
    ['disputed', 'suspended'],
    ['refunded', 'revoked'],
    ['dispute_lost', 'revoked'],
  ])('%s → %s', (status, state) => expect(purchaseState(status)).toBe(state));
});
