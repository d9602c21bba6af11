import { createFindOrCreateUser, type FindOrCreateUserInput } from '../../../activities/checkout/find-or-create-user';
import type { UserRef } from '../../../src/contracts';
import { createPrisma } from '../../../src/db/prisma';
import { runActivity } from '../../support/run-activity';
import { testEnv } from '../../support/test-env';

const db = createPrisma(testEnv.databaseUrl, { max: 10 });
const activity = createFindOrCreateUser({ db });
const findOrCreateUser = (input: FindOrCreateUserInput): Promise<UserRef> => runActivity(activity, input);
afterAll(() => db.$disconnect());

const input = (eventId: string, email: string) => ({
  eventId,
  email,
  name: 'Grace Hopper',
  source: 'sumo' as const,
  stripeCustomerId: `cus_${eventId}`,
  sumoUserId: `sumo_${eventId}`,
  clientReferenceId: null,
});

describe('findOrCreateUser', () => {
  it('ten fulfillments racing for one new email get one row; only the inserting event reports created', async () => {
    const email = `race.activity.${Date.now()}@example.com`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => findOrCreateUser(input(`evt_race_${i}_${Date.now()}`, email))));

    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.user.count({ where: { email } })).toBe(1);
  });

  it('normalises the email (trimmed, case-insensitive)', async () => {
    const suffix = Date.now();
    const first = await findOrCreateUser(input(`evt_a_${suffix}`, `  Mixed.Case.${suffix}@Example.com `));
    const second = await findOrCreateUser(input(`evt_b_${suffix}`, `mixed.case.${suffix}@example.COM`));
    expect(second.userId).toBe(first.userId);
    expect((await db.user.findUniqueOrThrow({ where: { id: first.userId } })).email).toBe(`mixed.case.${suffix}@example.com`);
  });

  it('still reports created when the same event retries after it inserted the row', async () => {
    const email = `retry.activity.${Date.now()}@example.com`;
    const eventId = `evt_retry_${Date.now()}`;
    const first = await findOrCreateUser(input(eventId, email));
    const retry = await findOrCreateUser(input(eventId, email));
    expect(first).toEqual(retry);
    expect(retry.created).toBe(true);
  });

  it('keeps an existing user’s Stripe customer id and fills it only when missing', async () => {
    const email = `keep.${Date.now()}@example.com`;
    await db.user.create({ data: { email, source: 'direct', stripeCustomerId: 'cus_original' } });
    await findOrCreateUser(input(`evt_keep_${Date.now()}`, email));
    expect((await db.user.findUniqueOrThrow({ where: { email } })).stripeCustomerId).toBe('cus_original');
  });

  it('rejects an unknown client_reference_id as bad data, not an outage', async () => {
    await expect(
      findOrCreateUser({ ...input('evt_unknown_ref', 'x@example.com'), clientReferenceId: 'no-such-user' }),
    ).rejects.toMatchObject({
      type: 'UnknownUser',
      nonRetryable: true,
      message: expect.stringContaining('client_reference_id "no-such-user" matches no user'),
    });
  });
});
