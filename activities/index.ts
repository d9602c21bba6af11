import type { ActivityDeps } from './deps';
import { createFindOrCreateUser } from './find-or-create-user';
import { createLinkSubscription } from './link-subscription';
import { createProvisionAccess } from './provision-access';
import { createRecordOutcome } from './record-outcome';
import { createResolvePurchase } from './resolve-purchase';
import { createSendWelcomeEmail } from './send-welcome-email';

export type { ActivityDeps } from './deps';

/** The fulfillment activities over their dependencies; wired only in the worker. */
export const createActivities = (deps: ActivityDeps) => ({
  resolvePurchase: createResolvePurchase(deps),
  findOrCreateUser: createFindOrCreateUser(deps),
  linkSubscription: createLinkSubscription(deps),
  provisionAccess: createProvisionAccess(deps),
  sendWelcomeEmail: createSendWelcomeEmail(deps),
  recordOutcome: createRecordOutcome(deps),
});
