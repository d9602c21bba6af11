import { randomBytes, randomUUID } from 'node:crypto';
import { buildApp } from '../../../src/app';
import { createPrismaOverPool } from '../../../src/db/prisma';
import type { FulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { testEnv } from '../../support/test-env';

/** The API's check alone, on its pool as src/server.ts wires it: no worker, no Temporal (the route reads PostgreSQL only). */
const { db, pool } = createPrismaOverPool(testEnv.databaseUrl, { max: 2 });
const noTemporal: FulfillmentStarter = {
  start: () => Promise.reject(new Error('not used')),
  ping: () => Promise.reject(new Error('not used')),
  exists: () => Promise.reject(new Error('not used')),
};
const OLD_TOKEN = 'access_old_token_0123456789abcdefghij';
const NEW_TOKEN = 'access_new_token_0123456789abcdefghij';
const app = buildApp({ db, fulfillments: noTemporal, webhookSecrets: ['whsec_unused'], access: { tokens: [NEW_TOKEN, OLD_TOKEN], pool } });
const appWithout = buildApp({ db, fulfillments: noTemporal, webhookSecrets: ['whsec_unused'] });
afterAll(async () => {
  await (await app).close();
  await (await appWithout).close();
  await db.$disconnect();
});

const email = `check.${randomBytes(4).toString('hex')}@example.com`;
let userId: string;
beforeAll(async () => {
  userId = (await db.user.create({ data: { email, source: 'direct' } })).id;
});

const get = async (url: string, authorization?: string, which = app) =>
  (await which).inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

describe('GET /access: who may ask', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a token that is not one of ACCESS_API_TOKENS', 'Bearer access_wrong_token_0123456789abcdefg'],
    ['a configured token with a character more', `Bearer ${NEW_TOKEN}x`],
    ['a configured token with a character less', `Bearer ${NEW_TOKEN.slice(0, -1)}`],
    ['a configured token as Basic credentials', `Basic ${NEW_TOKEN}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with 401 and WWW-Authenticate: Bearer', async (_what, authorization) => {
    const res = await get(`/access?email=${email}`, authorization);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(res.body).not.toContain(userId);
  });

  it('answers either configured token, so one can be rolled', async () => {
    expect((await get(`/access?email=${email}`, `Bearer ${OLD_TOKEN}`)).statusCode).toBe(200);
    expect((await get(`/access?email=${email}`, `bearer ${NEW_TOKEN}`)).statusCode).toBe(200);
  });

  it('does not exist when ACCESS_API_TOKENS is unset: 404, even with a token', async () => {
    for (const url of [`/access?email=${email}`, `/access/users/${userId}`]) {
      expect((await get(url, `Bearer ${NEW_TOKEN}`, appWithout)).statusCode).toBe(404);
    }
  });
});

describe('GET /access: the answer', () => {
  const auth = `Bearer ${NEW_TOKEN}`;

  it('finds the user by the email as stored (trimmed, lower-cased), answers no-store, and echoes only what was asked by', async () => {
    const res = await get(`/access?email=${encodeURIComponent(`  ${email.toUpperCase()} `)}`, auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ user: { id: userId, email }, access: { active: false, features: [], seats: 0, items: [] } });

    const byId = await get(`/access/users/${userId}`, auth);
    expect(byId.json()).toEqual({ user: { id: userId }, access: { active: false, features: [], seats: 0, items: [] } });
    expect(byId.body).not.toContain(email);
  });

  it('404 for no such user; 400 without an email', async () => {
    expect((await get(`/access?email=nobody.${randomBytes(4).toString('hex')}@example.com`, auth)).json()).toMatchObject({
      error: 'not_found',
    });
    expect((await get(`/access/users/${randomUUID()}`, auth)).statusCode).toBe(404);
    expect((await get('/access/users/not-a-user-id', auth)).statusCode).toBe(404);
    expect((await get('/access', auth)).statusCode).toBe(400);
    expect((await get('/access?email=%20', auth)).json()).toMatchObject({ error: 'bad_request' });
  });
});
