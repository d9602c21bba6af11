import type { ActivityDeps } from './deps';
import { createFindOrCreateUser } from './find-or-create-user';
import { createLinkSubscription } from './link-subscription';
import { createProvisionAccess } from './provision-access';
import { createRecordOperatorAction } from './record-operator-action';
import { createRecordOutcome } from './record-outcome';
import { createRecordPurchase } from './record-purchase';
import { createRecordPurchaseEvent } from './record-purchase-event';
import { createReconcileEvents } from './reconcile-events';
import { createRecordSubscriptionEvent } from './record-subscription-event';
import { createResolvePurchase } from './resolve-purchase';
import { createSendPaymentFailedEmail } from './send-payment-failed-email';
import { createSendWelcomeEmail } from './send-welcome-email';
import { createSyncAccess } from './sync-access';
import { createSyncPurchaseAccess } from './sync-purchase-access';

export type { ActivityDeps } from './deps';

/** The fulfillment and lifecycle activities over their dependencies; wired only in the worker. */
export const createActivities = (deps: ActivityDeps) => ({
  resolvePurchase: createResolvePurchase(deps),
  findOrCreateUser: createFindOrCreateUser(deps),
  linkSubscription: createLinkSubscription(deps),
  provisionAccess: createProvisionAccess(deps),
  sendWelcomeEmail: createSendWelcomeEmail(deps),
  recordOutcome: createRecordOutcome(deps),
  recordOperatorAction: createRecordOperatorAction(deps),
  recordSubscriptionEvent: createRecordSubscriptionEvent(deps),
  syncAccess: createSyncAccess(deps),
  sendPaymentFailedEmail: createSendPaymentFailedEmail(deps),
  reconcileEvents: createReconcileEvents(deps),
  recordPurchase: createRecordPurchase(deps),
  recordPurchaseEvent: createRecordPurchaseEvent(deps),
  syncPurchaseAccess: createSyncPurchaseAccess(deps),
});
