export { fulfillCheckout } from './fulfill-checkout';
export { syncSubscription } from './sync-subscription';
export { reconcileStripeEvents } from './reconcile-stripe-events';
export { syncPurchase } from './sync-purchase';
export { deliverAccessEvents } from './deliver-access-events';
export { sweepAccessEvents } from './sweep-access-events';
