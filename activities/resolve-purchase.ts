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
    if (!input.subscriptionId) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, `checkout session ${input.checkoutSessionId} has no subscription`);
    }
    if (input.source === 'sumo' && !input.tierId) {
      throw invalidData(FailureType.InvalidPurchaseData, eventId, 'metadata.sumo_product_tier_id is missing');
    }
    const addons = parseAddons(catalog, input.rawAddons, eventId);
    const { tier, quantity } = input.tierId
      ? { tier: knownTier(catalog, input, input.tierId), quantity: parseQuantity(input.rawQuantity, eventId) }
      : await tierFromLineItems(stripe, catalog, input);

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
async function tierFromLineItems(stripe: Stripe, catalog: Catalog, input: FulfillmentInput): Promise<{ tier: Tier; quantity: number }> {
  let items: Stripe.LineItem[];
  try {
    const page = await stripe.checkout.sessions.listLineItems(
      input.checkoutSessionId,
      { limit: 20 },
      input.account ? { stripeAccount: input.account } : undefined,
    );
    items = page.data;
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
