import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CatalogData } from '../../src/catalog/catalog';
import type { ResolvedPurchase } from '../../src/contracts';
import { ROOT } from './paths';

/** Random `sumo_*` checkout metadata, and what the shipped catalogue says it is worth. */
type ShippedCatalog = CatalogData & {
  tiers: Record<string, { plan: string; seats: number; features: string[] }>;
  addons: Record<string, { features: string[] }>;
};
export const SHIPPED_CATALOG_DATA = JSON.parse(readFileSync(join(ROOT, 'config/catalog.json'), 'utf8')) as ShippedCatalog;

/** Any JSON value that is not a string: what a metadata value must never be, but might. */
const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object(),
);
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
const padded = (arb: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom('', ' ', '\t', '\n '), arb, fc.constantFrom('', ' ', '\n')).map(([a, s, b]) => a + s + b);

/** Names an object lookup would find on every object: they must not be tiers or add-ons. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];
const tiers = Object.keys(SHIPPED_CATALOG_DATA.tiers);
const addonIds = Object.keys(SHIPPED_CATALOG_DATA.addons);
export const sumoMetadataArb = fc.record(
  {
    sumo_campaign_id: fc.oneof(
      fc.stringMatching(/^camp_[a-z0-9]{1,12}$/),
      fc.integer({ min: 1 }),
      fc.string({ minLength: 1 }).filter((s) => !!s.trim()),
    ),
    sumo_product_tier_id: sometimes(
      fc.oneof(
        { arbitrary: padded(fc.constantFrom(...tiers)), weight: 8 },
        { arbitrary: fc.string(), weight: 1 },
        { arbitrary: fc.constantFrom('', '  ', ...PROTOTYPE_KEYS), weight: 1 },
        { arbitrary: nonString, weight: 1 },
      ),
    ),
    sumo_quantity: sometimes(
      fc.oneof(
        { arbitrary: padded(fc.integer({ min: 1, max: 10_000 }).map(String)), weight: 6 },
        fc.integer({ min: -5, max: 20_000 }).map(String),
        fc.constantFrom('', ' ', '3.5', '1e3', '0x10', '३', '+2', '-0', '007', '99999999999999999999'),
        fc.string(),
        fc.integer({ min: 0, max: 12 }),
        nonString,
      ),
    ),
    sumo_addons: sometimes(
      fc.oneof(
        { arbitrary: fc.uniqueArray(fc.constantFrom(...addonIds)).map((a) => JSON.stringify(a)), weight: 6 },
        fc.array(fc.constantFrom(...addonIds, 'gold_plating', ...PROTOTYPE_KEYS)).map((a) => JSON.stringify(a)),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.constantFrom('', ' ', '[', 'white_label', '{"0":"white_label"}', '[null]', '["white_label",1]'),
        fc.string(),
        fc.array(fc.constantFrom(...addonIds)),
        nonString,
      ),
    ),
    sumo_product_id: sometimes(fc.oneof(fc.string(), nonString)),
    sumo_user_id: sometimes(fc.oneof(fc.string(), nonString)),
  },
  { requiredKeys: ['sumo_campaign_id'] },
);

/** What the catalogue says, computed here independently of the code under test: null = some field is bad. */
export function expectedPurchase(metadata: Record<string, unknown>): { bad: string[]; purchase: Omit<ResolvedPurchase, 'addons'> | null } {
  const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
  const bad: string[] = [];
  const tierId = text(metadata.sumo_product_tier_id)?.trim() || null;
  const tier = tierId && Object.hasOwn(SHIPPED_CATALOG_DATA.tiers, tierId) ? SHIPPED_CATALOG_DATA.tiers[tierId] : undefined;
  if (!tier) bad.push('sumo_product_tier_id');

  const rawQuantity = text(metadata.sumo_quantity);
  let quantity = 1;
  if (rawQuantity !== null && rawQuantity.trim() !== '') {
    quantity = /^\s*[0-9]+\s*$/.test(rawQuantity) ? Number(rawQuantity) : NaN;
    if (!(quantity >= 1 && quantity <= 10_000)) bad.push('sumo_quantity');
  }

  const rawAddons = text(metadata.sumo_addons);
  let addons: string[] = [];
  if (rawAddons !== null && rawAddons.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawAddons);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string' && Object.hasOwn(SHIPPED_CATALOG_DATA.addons, a)))
      addons = parsed as string[];
    else bad.push('sumo_addons');
  }
  if (bad.length > 0 || !tier || !tierId) return { bad, purchase: null };
  const features = new Set([...tier.features, ...addons.flatMap((a) => SHIPPED_CATALOG_DATA.addons[a].features)]);
  return {
    bad,
    purchase: { tierId, plan: tier.plan, quantity, seatLimit: tier.seats * quantity, features: [...features] },
  };
}
