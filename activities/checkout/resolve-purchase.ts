import Stripe from 'stripe';
import type { Catalog, Tier } from '../../src/catalog/catalog';
import type { FulfillmentInput, ResolvedPurchase } from '../../src/contracts';
import { InvalidMetadata, parseAddons, parseQuantity } from '../../src/catalog/purchase-metadata';
import type { ActivityDeps } from '../deps';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../shared/errors';
import { untilCancelled } from '../shared/cancellable';

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
    const addons = validMetadata(eventId, () => parseAddons(catalog, input.rawAddons));
    const { tier, quantity } =
      input.source === 'sumo' && input.tierId
        ? { tier: knownTier(catalog, input, input.tierId), quantity: validMetadata(eventId, () => parseQuantity(input.rawQuantity)) }
        : await directPurchase(stripe, catalog, input);
    // Seats: the tier's seats per code × the codes bought (config/catalog.json).
    return {
      tierId: tier.id,
      plan: tier.plan,
      quantity,
      seatLimit: tier.seats * quantity,
      addons,
      features: catalog.features(tier, addons),
    };
  };
}

/** Metadata the catalogue cannot use is bad data: retrying cannot help. */
function validMetadata<T>(eventId: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidMetadata) throw invalidData(FailureType.InvalidPurchaseData, eventId, err.message);
    throw err;
  }
}

function knownTier(catalog: Catalog, input: FulfillmentInput, tierId: string): Tier {
  const tier = catalog.tier(tierId);
  if (!tier) {
    const field = input.source === 'sumo' ? 'metadata.sumo_product_tier_id' : 'metadata.tier_id';
    throw invalidData(FailureType.UnknownTier, input.eventId, `${field} "${tierId}" is not in the tier catalogue`);
  }
  return tier;
}

/**
 * A direct checkout: the tier is `metadata.tier_id`, else whatever a bought price maps to; the
 * quantity is always the tier's line item's (a "pro ×3" buyer paid for 3 licences, whatever the
 * metadata says). The tier's item is the one whose price the catalogue maps to that tier (with
 * `tier_id`: to the tier it names), or the only item; among several items with none or more than
 * one such, the purchase is bad data (AmbiguousLineItems), never a guess.
 */
async function directPurchase(stripe: Stripe, catalog: Catalog, input: FulfillmentInput): Promise<{ tier: Tier; quantity: number }> {
  const items = await readLineItems(stripe, input);
  const tierOf = (item: Stripe.LineItem) =>
    item.price ? catalog.tierForPrice({ id: item.price.id, lookupKey: item.price.lookup_key }) : undefined;
  const session = input.checkoutSessionId;
  if (input.tierId) {
    const tier = knownTier(catalog, input, input.tierId);
    const priced = items.filter((item) => tierOf(item)?.id === tier.id);
    const item = priced.length === 1 ? priced[0] : priced.length === 0 && items.length === 1 ? items[0] : undefined;
    if (!item) {
      throw invalidData(
        FailureType.AmbiguousLineItems,
        input.eventId,
        `metadata.tier_id "${tier.id}" names no single line item of ${session} (${describeItems(items)}): ` +
          (priced.length === 0
            ? 'none of their prices maps to that tier in the catalogue; add the tier’s price to the catalogue’s prices, then retry'
            : `${priced.length} of them are priced for that tier, so the licences bought are not clear`),
      );
    }
    return { tier, quantity: item.quantity ?? 1 };
  }
  const priced = items.filter((item) => tierOf(item));
  if (priced.length === 1) return { tier: tierOf(priced[0])!, quantity: priced[0].quantity ?? 1 };
  if (priced.length > 1) {
    throw invalidData(
      FailureType.AmbiguousLineItems,
      input.eventId,
      `${priced.length} line items of ${session} have prices in the tier catalogue (${describeItems(items)}): which tier was bought is not clear`,
    );
  }
  throw invalidData(
    FailureType.UnknownTier,
    input.eventId,
    `no line item price of ${session} is in the tier catalogue (${describeItems(items)}); set metadata.tier_id or add the price`,
  );
}

/** `price_pro_monthly ×3, price_setup_fee ×1`, for an operator's message. */
function describeItems(items: Stripe.LineItem[]): string {
  return items.map((item) => `${item.price?.id ?? '(no price)'} ×${item.quantity ?? '?'}`).join(', ') || 'no line items';
}

async function readLineItems(stripe: Stripe, input: FulfillmentInput): Promise<Stripe.LineItem[]> {
  try {
    const page = await untilCancelled(
      stripe.checkout.sessions.listLineItems(
        input.checkoutSessionId,
        { limit: 20 },
        input.account ? { stripeAccount: input.account } : undefined,
      ),
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
