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
    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
    return sendEmailOnce(
      db,
      postmark,
      {
        dedupKey: `welcome:${userId}`,
        kind: 'welcome',
        userId,
        eventId,
        to: user.email,
        from: mail.from,
        templateAlias: mail.welcomeTemplate,
        templateModel: { name: user.name ?? '', email: user.email } satisfies WelcomeModel,
      },
      { searchSettleMs: mail.searchSettleMs },
    );
  };
}
