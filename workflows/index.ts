export { fulfillCheckout } from './fulfill-checkout';
