import type { Tx } from './transaction';

/** Whose entitlements: one subscription's or one lifetime purchase's. */
export type EntitlementOwner = { subscriptionId: string } | { purchaseId: string };

/**
 * Makes the owner's entitlement rows equal `wanted`: revokes what it holds beyond it, grants
 * what it lacks (recording the event that granted each). Both lists come back sorted; with
 * nothing to change, nothing is written. Run inside the transaction that holds the owner's lock.
 */
export async function setEntitlements(
  tx: Tx,
  owner: EntitlementOwner,
  grant: { userId: string; eventId: string; wanted: string[] },
): Promise<{ granted: string[]; revoked: string[]; holding: Holding[] }> {
  const rows = await tx.entitlement.findMany({ where: owner, select: { feature: true, grantedByEventId: true } });
  const { granted, revoked, holding } = entitlementDiff(rows, grant);
  if (revoked.length > 0) await tx.entitlement.deleteMany({ where: { ...owner, feature: { in: revoked } } });
  if (granted.length > 0) {
    await tx.entitlement.createMany({
      data: granted.map((feature) => ({ ...owner, userId: grant.userId, feature, grantedByEventId: grant.eventId })),
      skipDuplicates: true,
    });
  }
  return { granted, revoked, holding };
}

/** One entitlement row: the feature, and the event that granted it. */
export interface Holding {
  feature: string;
  grantedByEventId: string;
}

/** What to revoke and grant so that `held` becomes `wanted`, and what is held after (sorted by feature). */
export function entitlementDiff(
  held: Holding[],
  grant: { eventId: string; wanted: string[] },
): { granted: string[]; revoked: string[]; holding: Holding[] } {
  const features = held.map((e) => e.feature);
  const revoked = features.filter((f) => !grant.wanted.includes(f)).sort();
  const granted = grant.wanted.filter((f) => !features.includes(f)).sort();
  const holding = [
    ...held.filter((e) => grant.wanted.includes(e.feature)),
    ...granted.map((feature) => ({ feature, grantedByEventId: grant.eventId })),
  ].sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  return { granted, revoked, holding };
}
