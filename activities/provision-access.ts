import type { ProvisionResult } from '../workflows/types';
import type { ActivityDeps } from './deps';

export interface ProvisionAccessInput {
  eventId: string;
  userId: string;
  subscriptionRowId: string;
  features: string[];
  seatLimit: number;
}

/**
 * Grants the subscription's features. Entitlements are unique per (subscription, feature),
 * so a re-run grants nothing twice; the result says what this run added.
 */
export function createProvisionAccess({ db }: Pick<ActivityDeps, 'db'>) {
  return async function provisionAccess(input: ProvisionAccessInput): Promise<ProvisionResult> {
    const held = await db.entitlement.findMany({
      where: { subscriptionId: input.subscriptionRowId },
      select: { feature: true },
    });
    const alreadyHeld = new Set(held.map((e) => e.feature));
    const toGrant = input.features.filter((f) => !alreadyHeld.has(f));
    const inserted = await db.entitlement.createManyAndReturn({
      data: toGrant.map((feature) => ({
        userId: input.userId,
        subscriptionId: input.subscriptionRowId,
        feature,
        grantedByEventId: input.eventId,
      })),
      skipDuplicates: true,
      select: { feature: true },
    });
    const granted = inserted.map((e) => e.feature);
    return {
      granted,
      alreadyHeld: input.features.filter((f) => !granted.includes(f)),
      seatLimit: input.seatLimit,
    };
  };
}
