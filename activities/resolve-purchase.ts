import Stripe from 'stripe';
import type { Catalog, Tier } from '../src/catalog/catalog';
import type { FulfillmentInput, ResolvedPurchase } from '../src/contracts';
import type { ActivityDeps } from './deps';
import { FailureType } from '../src/contracts';
import { invalidData } from './errors';

const MAX_QUANTITY = 10_000;

/**
 * Validates everything a fulfillment needs before anything is written, and turns the
 * tier, quantity and add-ons into what the catalogue grants.
 */
export function createResolvePurchase({ catalog, stripe }: Pick<ActivityDeps, 'catalog' | 'stripe'>) {
  return async function resolvePurchase(input: FulfillmentInput): Promise<ResolvedPurchase> {
    const { eventId } = input;
    if (!input.clientReferenceId && !input.email?.trim()) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, 'customer_details.email is missing and there is no client_reference_id');
    }
    // A payment-mode session is a one-time purchase (a lifetime deal); any other needs its subscription.
    if (input.mode !== 'payment' && !input.subscriptionId) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, `checkout session ${input.checkoutSessionId} has no subscription`);
    }
    if (input.source === 'sumo' && !input.tierId) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, 'metadata.sumo_product_tier_id is missing');
    }
    const addons = parseAddons(catalog, input.rawAddons, eventId);
    const { tier, quantity } =
      input.source === 'sumo' && input.tierId
        ? { tier: knownTier(catalog, input, input.tierId), quantity: parseQuantity(input.rawQuantity, eventId) }
        : await directPurchase(stripe, catalog, input);

    const features = [...new Set([...tier.features, ...addons.flatMap((a) => catalog.addonFeatures(a) ?? [])])];
    return { tierId: tier.id, plan: tier.plan, quantity, seatLimit: tier.seats * quantity, addons, features };
  };
}

function knownTier(catalog: Catalog, input: FulfillmentInput, tierId: string): Tier {
  const tier = catalog.tier(tierId);
  if (!tier) {
    const field = input.source === 'sumo' ? 'metadata.sumo_product_tier_id' : 'metadata.tier_id';
    throw invalidData(FailureType.UnknownTier, input.eventId, `${field} "${tierId}" is not in the tier catalogue`);
  }
  return tier;
}

export function parseQuantity(raw: string | null, eventId: string): number {
  if (raw === null || raw.trim() === '') return 1;
  const quantity = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw invalidData(
      FailureType.InvalidPurchaseData,
      eventId,
      `metadata.sumo_quantity must be a whole number from 1 to ${MAX_QUANTITY}, got ${JSON.stringify(raw)}`,
    );
  }
  return quantity;
}

export function parseAddons(catalog: Catalog, raw: string | null, eventId: string): string[] {
  if (raw === null || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) {
    throw invalidData(
      FailureType.InvalidPurchaseData,
      eventId,
      `metadata.sumo_addons must be a JSON array of add-on ids, got ${JSON.stringify(raw)}`,
    );
  }
  const unknown = parsed.filter((a) => catalog.addonFeatures(a) === undefined);
  if (unknown.length > 0) {
    throw invalidData(
      FailureType.InvalidPurchaseData,
      eventId,
      `metadata.sumo_addons has unknown add-on(s) ${unknown.map((a) => `"${a}"`).join(', ')}; known: ${catalog.addonIds().join(', ')}`,
    );
  }
  return [...new Set(parsed)];
}

/** A direct checkout without `metadata.tier_id`: the tier is whatever the bought price maps to. */
/**
 * A direct checkout: the tier is `metadata.tier_id`, else whatever a bought price maps to; the
 * quantity is always the line item's (a "pro ×3" buyer paid for 3 licences, whatever the
 * metadata says). With `tier_id`, the item is the one whose price maps to that tier, else the
 * only item.
 */
async function directPurchase(stripe: Stripe, catalog: Catalog, input: FulfillmentInput): Promise<{ tier: Tier; quantity: number }> {
  const items = await readLineItems(stripe, input);
  if (input.tierId) {
    const tier = knownTier(catalog, input, input.tierId);
    const item =
      items.find((i) => i.price && catalog.tierForPrice({ id: i.price.id, lookupKey: i.price.lookup_key })?.id === tier.id) ??
      (items.length === 1 ? items[0] : undefined);
    return { tier, quantity: item?.quantity ?? 1 };
  }
  for (const item of items) {
    const tier = item.price && catalog.tierForPrice({ id: item.price.id, lookupKey: item.price.lookup_key });
    if (tier) return { tier, quantity: item.quantity ?? 1 };
  }
  const prices = items.map((i) => i.price?.id ?? '(none)').join(', ') || 'no line items';
  throw invalidData(
    FailureType.UnknownTier,
    input.eventId,
    `no line item price of ${input.checkoutSessionId} is in the tier catalogue (${prices}); set metadata.tier_id or add the price`,
  );
}

async function readLineItems(stripe: Stripe, input: FulfillmentInput): Promise<Stripe.LineItem[]> {
  try {
    const page = await stripe.checkout.sessions.listLineItems(
      input.checkoutSessionId,
      { limit: 20 },
      input.account ? { stripeAccount: input.account } : undefined,
    );
    return page.data;
  } catch (err) {
    // A 4xx other than rate limiting means the session is not there to read: retrying cannot help.
    if (err instanceof Stripe.errors.StripeInvalidRequestError) {
      throw invalidData(
        FailureType.InvalidPurchaseData,
        input.eventId,
        `cannot read line items of ${input.checkoutSessionId}: ${err.message}`,
      );
    }
    throw err;
  }
}
