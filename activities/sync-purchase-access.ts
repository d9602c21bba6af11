import { log } from '@temporalio/activity';
import { syncPurchaseAccess as sync } from './purchases/purchase-access';
import type { PurchaseAccess } from '../src/contracts';
import type { ActivityDeps } from './deps';

export interface SyncPurchaseAccessInput {
  eventId: string;
  /** The row a checkout recorded, or the payment a refund / dispute names. */
  purchase: { id: string } | { paymentIntentId: string };
  /** `keep` (a checkout): a refund of no whole number of codes does not fail the sync (see purchase-access.ts). */
  ambiguousRefund?: 'ask' | 'keep';
}

/** Grants, lowers or revokes a lifetime purchase's access to match its stored state. */
export function createSyncPurchaseAccess({ db, catalog }: Pick<ActivityDeps, 'db' | 'catalog'>) {
  return async function syncPurchaseAccess({ eventId, purchase, ambiguousRefund }: SyncPurchaseAccessInput): Promise<PurchaseAccess> {
    const access = await sync(db, catalog, purchase, { eventId, nowMs: Date.now(), ambiguousRefund });
    log.info(access.linked ? 'purchase access synced' : 'purchase access not synced: checkout not recorded yet', {
      status: access.status,
      hasAccess: access.hasAccess,
      activeQuantity: access.activeQuantity,
      seatLimit: access.seatLimit,
      granted: access.granted,
      revoked: access.revoked,
    });
    return access;
  };
}
