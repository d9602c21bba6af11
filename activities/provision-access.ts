import { log } from '@temporalio/activity';
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
 * so a re-run grants nothing twice. `granted` lists what this event granted, which stays
 * the same when the activity is retried after a lost response.
 */
export function createProvisionAccess({ db }: Pick<ActivityDeps, 'db'>) {
  return async function provisionAccess(input: ProvisionAccessInput): Promise<ProvisionResult> {
    await db.entitlement.createMany({
      data: input.features.map((feature) => ({
        userId: input.userId,
        subscriptionId: input.subscriptionRowId,
        feature,
        grantedByEventId: input.eventId,
      })),
      skipDuplicates: true, // INSERT … ON CONFLICT DO NOTHING
    });
    const held = await db.entitlement.findMany({
      where: { subscriptionId: input.subscriptionRowId, feature: { in: input.features } },
      select: { feature: true, grantedByEventId: true },
      orderBy: { feature: 'asc' },
    });
    const granted = held.filter((e) => e.grantedByEventId === input.eventId).map((e) => e.feature);
    const alreadyHeld = held.filter((e) => e.grantedByEventId !== input.eventId).map((e) => e.feature);
    log.info('access provisioned', { userId: input.userId, granted, alreadyHeld, seatLimit: input.seatLimit });
    return { granted, alreadyHeld, seatLimit: input.seatLimit };
  };
}
