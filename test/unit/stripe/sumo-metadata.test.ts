import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import type Stripe from 'stripe';
import { createResolvePurchase } from '../../../activities/checkout/resolve-purchase';
import { Catalog } from '../../../src/catalog/catalog';
import { FailureType } from '../../../src/contracts';
import { checkoutEvent } from '../../../devstack/sample-events';
import { decideCheckoutEvent } from '../../../src/stripe/checkout-event';
import { expectedPurchase, SHIPPED_CATALOG_DATA, sumoMetadataArb } from '../../support/sumo-metadata';

/**
 * Whatever Sumo (or anyone holding our signing secret) puts in a checkout's `sumo_*` metadata,
 * the purchase ends in exactly the entitlements the catalogue implies, or in a non-retryable
 * failure whose message names the offending field — never a TypeError, never a retry loop.
 * SUMO_METADATA_RUNS sets the cases (CI: 1,000).
 */
const RUNS = Number(process.env.SUMO_METADATA_RUNS ?? 1_000);
const catalog = Catalog.fromData(SHIPPED_CATALOG_DATA);
// A Sumo purchase never reads Stripe's API (tier and quantity come from the metadata).
const resolvePurchase = createResolvePurchase({ catalog, stripe: undefined as unknown as Stripe });

describe('random sumo_* metadata', () => {
  it('ends in the entitlements the catalogue implies, or in a non-retryable failure naming the field — never a TypeError', async () => {
    await fc.assert(
      fc.asyncProperty(sumoMetadataArb, async (metadata) => {
        const event = checkoutEvent({ metadata: metadata as unknown as Record<string, string> });
        const decision = decideCheckoutEvent(event);
        if (decision.action !== 'fulfil') throw new Error(`a paid Sumo checkout was ignored: ${decision.reason}`);
        expect(decision.input.source).toBe('sumo');

        const want = expectedPurchase(metadata);
        const outcome = await resolvePurchase(decision.input).then(
          (purchase) => ({ purchase }),
          (err: unknown) => ({ err }),
        );
        if ('purchase' in outcome) {
          expect(want.purchase).not.toBeNull();
          const { addons: _addons, features, ...rest } = outcome.purchase;
          expect({ ...rest, features: [...features].sort() }).toEqual({ ...want.purchase, features: [...want.purchase!.features].sort() });
        } else {
          const err = outcome.err;
          expect(err).toBeInstanceOf(ApplicationFailure);
          const failure = err as ApplicationFailure;
          expect(failure.nonRetryable).toBe(true);
          expect([FailureType.InvalidPurchaseData, FailureType.UnknownTier]).toContain(failure.type);
          expect(want.bad.length).toBeGreaterThan(0);
          const named = want.bad.filter((field) => failure.message.includes(`metadata.${field}`));
          expect(named.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
