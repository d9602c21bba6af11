export { fulfillCheckout } from './fulfill-checkout';
export { syncSubscription } from './sync-subscription';
export { reconcileStripeEvents } from './reconcile-stripe-events';
export { syncPurchase } from './sync-purchase';
