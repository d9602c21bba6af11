import { log } from '@temporalio/activity';
import type { Catalog } from '../../src/catalog/catalog';
import { parseAddons } from '../../src/catalog/purchase-metadata';
import type { SubscriptionPatch } from '../../src/lifecycle/subscription-state';
import { recordSubscriptionChange } from './subscription-store';
import type { SubscriptionEventInput, SubscriptionFacts, SubscriptionStateView } from '../../src/contracts';
import type { ActivityDeps } from '../deps';

/**
 * Records what a lifecycle event says about its subscription (status, tier, quantity,
 * billing period), field by field, unless a newer event already said otherwise. The
 * subscription need not be linked to a user yet. A fact the catalogue cannot place (an
 * unknown price) is left out with a warning rather than failing: the status it carries,
 * say a cancellation, must still count.
 */
export function createRecordSubscriptionEvent({ db, catalog }: Pick<ActivityDeps, 'db' | 'catalog'>) {
  return async function recordSubscriptionEvent(input: SubscriptionEventInput): Promise<SubscriptionStateView> {
    const sequence = periodEnd(input.subscription);
    const patch: SubscriptionPatch = {
      eventId: input.eventId,
      eventType: input.eventType,
      created: input.created,
      ...(sequence !== null && { sequence }),
      ...(input.status !== null && { status: input.status }),
      ...(input.invoice && { invoice: { id: input.invoice.invoiceId, created: input.invoice.created ?? input.created } }),
      ...(input.subscription && planFacts(catalog, input.subscription)),
    };
    const recorded = await recordSubscriptionChange(db, {
      stripeSubscriptionId: input.stripeSubscriptionId,
      stripeAccount: input.account,
      stripeCustomerId: input.stripeCustomerId,
      patch,
    });
    if (recorded.outcome !== 'recorded') throw new Error('unreachable: no link was asked for');
    log.info('subscription event recorded', {
      stripeSubscriptionId: input.stripeSubscriptionId,
      asserted: input.status,
      status: recorded.status,
      tierId: recorded.tierId,
      quantity: recorded.quantity,
      linked: recorded.userId !== null,
    });
    return {
      stripeSubscriptionId: input.stripeSubscriptionId,
      userId: recorded.userId,
      status: recorded.status,
      tierId: recorded.tierId,
      quantity: recorded.quantity,
    };
  };
}

/** Tier, quantity, add-ons and billing period from a subscription object. The item that
 *  carries the tier (by metadata, else by a catalogued price) gives quantity and period. */
function planFacts(catalog: Catalog, facts: SubscriptionFacts): Partial<SubscriptionPatch> {
  const byPrice = facts.items
    .map((item) => ({ item, tier: item.priceId ? catalog.tierForPrice({ id: item.priceId, lookupKey: item.lookupKey }) : undefined }))
    .find((x) => x.tier);
  const metadataTier = facts.tierId ? catalog.tier(facts.tierId) : undefined;
  if (facts.tierId && !metadataTier)
    log.warn('subscription metadata names a tier not in the catalogue; tier left as it was', { tierId: facts.tierId });
  const tier = metadataTier ?? byPrice?.tier;
  const item = byPrice?.item ?? facts.items[0];
  if (!tier && facts.items.length > 0) {
    log.warn('no subscription item price is in the catalogue; tier left as it was', { prices: facts.items.map((i) => i.priceId) });
  }

  const out: Partial<SubscriptionPatch> = {
    billing: {
      cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
      currentPeriodEnd: item?.currentPeriodEnd ?? null,
      stripePriceId: item?.priceId ?? null,
      // The tier the item's price maps to, if catalogued: it wins once the price has changed.
      priceTierId: item === byPrice?.item ? (byPrice?.tier?.id ?? null) : null,
    },
  };
  if (tier) out.tierId = tier.id;
  if (item?.quantity && item.quantity > 0) out.quantity = item.quantity;
  if (item?.previous) {
    out.previous = {
      ...(item.previous.priceId && { priceId: item.previous.priceId }),
      ...(item.previous.quantity && item.previous.quantity > 0 && { quantity: item.previous.quantity }),
    };
  }
  if (facts.rawAddons !== null) {
    try {
      out.addons = parseAddons(catalog, facts.rawAddons);
    } catch (err) {
      log.warn('subscription metadata.sumo_addons ignored', { error: (err as Error).message });
    }
  }
  return out;
}

/** The subscription's billing period end (the latest of its items'): orders two same-second
 *  events of one type across a renewal. */
function periodEnd(facts: SubscriptionFacts | null): number | null {
  const ends = (facts?.items ?? []).map((i) => i.currentPeriodEnd).filter((end): end is number => end !== null);
  return ends.length > 0 ? Math.max(...ends) : null;
}
