import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readAccess, type AccessKey, type AccessSource, type UserAccess } from '../access/read-access';
import { createBearerCheck } from './bearer-token';
import { HttpError } from './http-error';

export interface AccessRoutesDeps {
  /** The API's pool (a prepared statement), or its Prisma client. */
  source: AccessSource;
  /** ACCESS_API_TOKENS: the bearer tokens the product calls with. */
  tokens: string[];
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The product's check (docs/integration.md): a user's whole access, in the shape of the `access`
 * every access event carries.
 *
 *   GET /access?email=…      by the email the buyer paid with (trimmed, lower-cased as stored)
 *   GET /access/users/:id    by our user id (the events' `user.id`)
 *
 * `Authorization: Bearer <one of ACCESS_API_TOKENS>`, else 401. 404 for no such user. The answer
 * carries no personal data beyond what the caller asked by: the email only when asked by email.
 * Registered only when ACCESS_API_TOKENS is set (src/app.ts); without it the paths are 404.
 */
export async function accessRoutes(app: FastifyInstance, deps: AccessRoutesDeps): Promise<void> {
  const authorised = createBearerCheck(deps.tokens);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (!authorised(request.headers.authorization)) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <one of ACCESS_API_TOKENS>');
    }
  });

  app.get<{ Querystring: { email?: string } }>('/access', async (request) => {
    const email = typeof request.query.email === 'string' ? request.query.email.trim().toLowerCase() : '';
    if (!email) throw new HttpError(400, 'bad_request', 'email is required: GET /access?email=…');
    const found = await read(deps.source, { email });
    return { user: { id: found.user.id, email: found.user.email }, access: found.access };
  });

  app.get<{ Params: { id: string } }>('/access/users/:id', async (request) => {
    if (!USER_ID.test(request.params.id)) throw notFound();
    const found = await read(deps.source, { userId: request.params.id.toLowerCase() });
    return { user: { id: found.user.id }, access: found.access };
  });
}

async function read(source: AccessSource, key: AccessKey): Promise<UserAccess> {
  let found: UserAccess | null;
  try {
    found = await readAccess(source, key);
  } catch (err) {
    throw new HttpError(503, 'database_unavailable', 'could not read access', { cause: err });
  }
  if (!found) throw notFound();
  return found;
}

const notFound = () => new HttpError(404, 'not_found', 'no such user');
