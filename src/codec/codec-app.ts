import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerErrorHandler } from '../http/error-handler';
import { HttpError } from '../http/http-error';
import { CodecSessions, isAuthorized, sessionCookie, sessionIdOf, tokenMatches } from './codec-auth';
import { loginPage, signedInPage, signedOutPage } from './login-page';
import { payloadsFromJson, payloadsToJson } from './payloads-json';

export interface CodecAppDeps {
  /** The payload codec the worker and clients use (the same keys). */
  codec: PayloadCodec;
  /** CODEC_AUTH_TOKEN: the bearer token (or, after /codec/login, the browser session) every call needs. */
  authToken: string;
  /** CODEC_CORS_ORIGINS: the Temporal UI origins whose pages may call the codec (with credentials). */
  corsOrigins: string[];
  /** How long a browser session lasts (default 12 h), enforced by the server. */
  sessionSeconds?: number;
  /**
   * CODEC_TRUST_PROXY: which hops' X-Forwarded-* to believe (Fastify's trustProxy), so a codec behind a
   * TLS-terminating proxy knows it is served over https and marks its cookie Secure. Default: none.
   */
  trustProxy?: boolean | string[];
  /** The clock sessions expire by (tests). */
  now?: () => number;
  /** Omit for a silent app (tests). */
  logger?: FastifyBaseLogger;
}

const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';

/**
 * Temporal's remote codec endpoint (`POST /codec/decode`, `POST /codec/encode`, protobuf JSON
 * `{payloads:[{metadata, data}]}`), so the Temporal UI and `temporal` CLI show decrypted
 * payloads to engineers; never served on the public webhook port.
 */
export async function buildCodecApp({
  codec,
  authToken,
  corsOrigins,
  sessionSeconds = 12 * 3600,
  trustProxy = false,
  now,
  logger,
}: CodecAppDeps) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: 16 * 1024 * 1024,
    trustProxy: Array.isArray(trustProxy) ? trustProxy.join(',') : trustProxy,
  });
  const sessions = new CodecSessions(sessionSeconds, now);
  registerErrorHandler(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const allowedOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    return origin && corsOrigins.includes(origin) ? origin : null;
  };
  // CORS on every answer to an allowed origin (a 401 included, so the UI can tell why).
  app.addHook('onRequest', async (request, reply) => {
    const origin = allowedOrigin(request);
    if (!origin) return;
    reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true').header('Vary', 'Origin');
  });

  for (const op of ['decode', 'encode'] as const) {
    app.options(`/codec/${op}`, async (request, reply) => {
      if (!allowedOrigin(request)) throw new HttpError(403, 'origin_not_allowed', 'this origin is not in CODEC_CORS_ORIGINS');
      return reply
        .status(204)
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
        .header('Access-Control-Max-Age', '600')
        .send();
    });

    app.post(`/codec/${op}`, async (request, reply) => {
      if (!isAuthorized(request, authToken, sessions)) return unauthorized(reply);
      let payloads;
      try {
        payloads = payloadsFromJson(request.body);
      } catch (err) {
        throw new HttpError(400, 'invalid_payloads', (err as Error).message);
      }
      let result;
      try {
        result = await (op === 'decode' ? codec.decode(payloads) : codec.encode(payloads));
      } catch (err) {
        // e.g. a key id that is not configured: the message names the key id, never a key or a payload.
        throw new HttpError(422, `${op}_failed`, (err as Error).message);
      }
      request.log.info({ op, payloads: payloads.length, namespace: request.headers['x-namespace'] }, 'codec');
      return reply.header('Cache-Control', 'no-store').send(payloadsToJson(result));
    });
  }

  // A browser signs in once with the token; its HttpOnly cookie then rides along with the UI's calls.
  app.get('/codec/login', async (_request, reply) => reply.type('text/html').send(loginPage()));
  app.post('/codec/login', async (request, reply) => {
    const token = (request.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !tokenMatches(token, authToken)) {
      return reply.status(401).type('text/html').send(loginPage('That is not the codec token.'));
    }
    // https directly, or X-Forwarded-Proto from a proxy CODEC_TRUST_PROXY trusts.
    const secure = request.protocol === 'https';
    const session = sessions.start();
    return reply
      .header('Set-Cookie', sessionCookie(session.id, secure, session.maxAgeSeconds))
      .type('text/html')
      .send(signedInPage());
  });
  // Ends this browser's session on the server (its cookie is then worth nothing), and clears the cookie.
  app.post('/codec/logout', async (request, reply) => {
    sessions.end(sessionIdOf(request));
    return reply
      .header('Set-Cookie', sessionCookie('', request.protocol === 'https', 0))
      .type('text/html')
      .send(signedOutPage());
  });

  app.get('/codec/healthz', async () => ({ status: 'ok' }));
  return app;
}

function unauthorized(reply: FastifyReply) {
  return reply
    .status(401)
    .header('WWW-Authenticate', 'Bearer realm="codec"')
    .send({ error: 'unauthorized', message: 'send Authorization: Bearer <CODEC_AUTH_TOKEN>, or sign in at /codec/login' });
}
