import { createPostmarkClient } from '../../src/clients/postmark';
import type { ActivityDeps } from '../../activities';

/** The email activities' dependencies against a local Postmark: the default template aliases, a search believed at once (the stand-in indexes what it accepts at once). */
export function localMailDeps(postmarkUrl: string): Pick<ActivityDeps, 'postmark' | 'mail'> {
  return {
    postmark: createPostmarkClient('token', postmarkUrl),
    mail: {
      from: 'hello@saas.example',
      welcomeTemplate: 'welcome',
      confirmationTemplate: 'purchase-confirmation',
      notActiveTemplate: 'purchase-not-active',
      paymentFailedTemplate: 'payment-failed',
      searchLagMs: 0,
      clientTimeoutMs: 10_000,
    },
  };
}
