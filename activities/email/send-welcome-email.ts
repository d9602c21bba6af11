import type { WelcomeModel } from '../../src/emails';
import type { ActivityDeps } from '../deps';
import { sendEmailOnce, type OnceEmailResult } from './send-once';

export interface SendWelcomeEmailInput {
  eventId: string;
  userId: string;
}

export type WelcomeEmailResult = OnceEmailResult;

/** Sends the welcome email through Postmark at most once per user (see sendEmailOnce). */
export function createSendWelcomeEmail({ db, postmark, mail }: Pick<ActivityDeps, 'db' | 'postmark' | 'mail'>) {
  return async function sendWelcomeEmail({ eventId, userId }: SendWelcomeEmailInput): Promise<WelcomeEmailResult> {
    return sendEmailOnce(
      db,
      postmark,
      {
        dedupKey: `welcome:${userId}`,
        kind: 'welcome',
        userId,
        eventId,
        from: mail.from,
        templateAlias: mail.welcomeTemplate,
        // The user's row is read in the claim's statement (sendEmailOnce), not apart.
        address: (user) => ({ to: user.email, templateModel: { name: user.name ?? '', email: user.email } satisfies WelcomeModel }),
      },
      mail,
    );
  };
}
