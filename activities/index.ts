import { createDeliverAccessEvent } from './access/deliver-access-event';
import { createPendingAccessEvents } from './access/pending-access-events';
import { createSkipAccessEvent } from './access/skip-access-event';
import { createStartPendingDeliveries } from './access/start-pending-deliveries';
import { createFindOrCreateUser } from './checkout/find-or-create-user';
import { createResolvePurchase } from './checkout/resolve-purchase';
import type { ActivityDeps } from './deps';
import { createSendPaymentFailedEmail } from './email/send-payment-failed-email';
import { createSendPurchaseConfirmation } from './email/send-purchase-confirmation';
import { createSendPurchaseNotActive } from './email/send-purchase-not-active';
import { createSendWelcomeEmail } from './email/send-welcome-email';
import { createReconcileEvents } from './ledger/reconcile-events';
import { createRecordOperatorAction } from './ledger/record-operator-action';
import { createRecordOutcome } from './ledger/record-outcome';
import { createRecordPurchase } from './purchases/record-purchase';
import { createRecordPurchaseEvent } from './purchases/record-purchase-event';
import { createSyncPurchaseAccess } from './purchases/sync-purchase-access';
import { createLinkSubscription } from './subscriptions/link-subscription';
import { createProvisionAccess } from './subscriptions/provision-access';
import { createRecordSubscriptionEvent } from './subscriptions/record-subscription-event';
import { createSyncAccess } from './subscriptions/sync-access';

export type { ActivityDeps } from './deps';

/**
 * The fulfillment and lifecycle activities over their dependencies; wired only in the worker.
 * One folder per feature (each file says which workflow step runs it); features never import
 * each other, only shared/ (transactions, row locks, entitlements, failures) and src/.
 */
export const createActivities = (deps: ActivityDeps) => ({
  // checkout/: validate a paid checkout and find its buyer
  resolvePurchase: createResolvePurchase(deps),
  findOrCreateUser: createFindOrCreateUser(deps),
  // subscriptions/: a subscription's link, lifecycle events and access
  linkSubscription: createLinkSubscription(deps),
  provisionAccess: createProvisionAccess(deps),
  recordSubscriptionEvent: createRecordSubscriptionEvent(deps),
  syncAccess: createSyncAccess(deps),
  // purchases/: a lifetime deal, its refunds and disputes, and its access
  recordPurchase: createRecordPurchase(deps),
  recordPurchaseEvent: createRecordPurchaseEvent(deps),
  syncPurchaseAccess: createSyncPurchaseAccess(deps),
  // email/: each email at most once
  sendWelcomeEmail: createSendWelcomeEmail(deps),
  sendPurchaseConfirmation: createSendPurchaseConfirmation(deps),
  sendPurchaseNotActive: createSendPurchaseNotActive(deps),
  sendPaymentFailedEmail: createSendPaymentFailedEmail(deps),
  // ledger/: the event's outcome, operators' actions, events the webhook missed
  recordOutcome: createRecordOutcome(deps),
  recordOperatorAction: createRecordOperatorAction(deps),
  reconcileEvents: createReconcileEvents(deps),
  // access/: the access events the syncs wrote, delivered to the product in order per user
  pendingAccessEvents: createPendingAccessEvents(deps),
  deliverAccessEvent: createDeliverAccessEvent(deps),
  skipAccessEvent: createSkipAccessEvent(deps),
  startPendingDeliveries: createStartPendingDeliveries(deps),
});
