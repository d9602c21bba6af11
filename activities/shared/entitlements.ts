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
): Promise<{ granted: string[]; revoked: string[] }> {
  const held = (await tx.entitlement.findMany({ where: owner, select: { feature: true } })).map((e) => e.feature);
  const revoked = held.filter((f) => !grant.wanted.includes(f)).sort();
  const granted = grant.wanted.filter((f) => !held.includes(f)).sort();
  if (revoked.length > 0) await tx.entitlement.deleteMany({ where: { ...owner, feature: { in: revoked } } });
  if (granted.length > 0) {
    await tx.entitlement.createMany({
      data: granted.map((feature) => ({ ...owner, userId: grant.userId, feature, grantedByEventId: grant.eventId })),
      skipDuplicates: true,
    });
  }
  return { granted, revoked };
}
