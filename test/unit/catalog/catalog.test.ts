import { Catalog } from '../../../src/catalog/catalog';
import { fromRoot } from '../../support/paths';

const shipped = Catalog.fromFile(fromRoot('config/catalog.json'));

describe('the tier catalogue', () => {
  it('ships the Sumo tiers 1–3 and the direct tiers starter and pro', () => {
    for (const id of ['sumo_tier_1', 'sumo_tier_2', 'sumo_tier_3', 'starter', 'pro']) expect(shipped.tier(id)).toBeDefined();
  });

  it('maps a direct price by id or lookup key', () => {
    expect(shipped.tierForPrice({ id: 'price_pro_monthly', lookupKey: null })?.id).toBe('pro');
    expect(shipped.tierForPrice({ id: 'price_unknown', lookupKey: 'starter_monthly' })?.id).toBe('starter');
    expect(shipped.tierForPrice({ id: 'price_unknown', lookupKey: null })).toBeUndefined();
  });

  it('does not treat inherited object keys as tiers', () => {
    expect(shipped.tier('constructor')).toBeUndefined();
    expect(shipped.addonFeatures('toString')).toBeUndefined();
  });

  it('refuses a catalogue whose price points at a missing tier, naming it', () => {
    expect(() => Catalog.fromData({ tiers: {}, prices: { price_x: 'gold' } })).toThrow(/prices\.price_x: unknown tier "gold"/);
  });
});
