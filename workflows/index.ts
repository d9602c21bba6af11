export { fulfillCheckout } from './fulfill-checkout';
export { syncSubscription } from './sync-subscription';
