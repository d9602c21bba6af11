import { log } from '@temporalio/activity';
import { maskEmail } from '../../src/log';
import type { PurchaseSource, UserRef } from '../../src/contracts';
import type { ActivityDeps } from '../deps';
import { FailureType } from '../../src/contracts';
import { invalidData } from '../shared/errors';

export interface FindOrCreateUserInput {
  eventId: string;
  email: string | null;
  name: string | null;
  source: PurchaseSource;
  stripeCustomerId: string | null;
  sumoUserId: string | null;
  clientReferenceId: string | null;
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The buyer's user row. A direct checkout that carries our user id (client_reference_id)
 * uses that user; everyone else is found or created by normalised email in one
 * `INSERT … ON CONFLICT` statement, so two fulfillments racing for the same new email
 * both succeed with one row. `created` is true only for the event that inserted the row,
 * which stays true when this activity is retried.
 */
export function createFindOrCreateUser({ db }: Pick<ActivityDeps, 'db'>) {
  return async function findOrCreateUser(input: FindOrCreateUserInput): Promise<UserRef> {
    if (input.clientReferenceId) {
      const user = await db.user.findUnique({ where: { id: input.clientReferenceId }, select: { id: true } });
      if (!user) {
        throw invalidData(FailureType.UnknownUser, input.eventId, `client_reference_id "${input.clientReferenceId}" matches no user`);
      }
      if (input.stripeCustomerId) {
        await db.user.updateMany({ where: { id: user.id, stripeCustomerId: null }, data: { stripeCustomerId: input.stripeCustomerId } });
      }
      log.info('buyer is the checkout’s client_reference_id', { userId: user.id });
      return { userId: user.id, created: false };
    }

    const email = input.email ? normaliseEmail(input.email) : '';
    if (!email) throw invalidData(FailureType.InvalidPurchaseData, input.eventId, 'customer_details.email is missing');

    const [row] = await db.$queryRaw<{ id: string; created_by_event_id: string | null }[]>`
      INSERT INTO users (id, email, name, source, stripe_customer_id, sumo_user_id, created_by_event_id, updated_at)
      VALUES (gen_random_uuid(), ${email}, ${input.name}, ${input.source}::purchase_source,
              ${input.stripeCustomerId}, ${input.sumoUserId}, ${input.eventId}, now())
      ON CONFLICT (email) DO UPDATE SET
        stripe_customer_id = COALESCE(users.stripe_customer_id, EXCLUDED.stripe_customer_id),
        sumo_user_id = COALESCE(users.sumo_user_id, EXCLUDED.sumo_user_id),
        name = COALESCE(users.name, EXCLUDED.name)
      RETURNING id, created_by_event_id`;
    const created = row.created_by_event_id === input.eventId;
    log.info(created ? 'user created' : 'existing user found', { userId: row.id, email: maskEmail(email) });
    return { userId: row.id, created };
  };
}
