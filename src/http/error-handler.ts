import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError } from './http-error';

/**
 * One place that turns errors into responses: `{ error, message }` with a stable code
 * for 4xx, `{ error }` only for 5xx (details go to the log, never to the caller).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    const { statusCode, code } = describe(err);
    if (err instanceof HttpError && err.retryAfterSeconds !== undefined) reply.header('Retry-After', String(err.retryAfterSeconds));
    if (statusCode === 503 && code === 'busy') {
      // Load shed on purpose (a flood, a slow dependency): a warning, not an error.
      request.log.warn({ code, reason: err.message }, 'request shed');
      return reply.status(statusCode).send({ error: code });
    }
    if (statusCode >= 500) {
      request.log.error({ err, code }, 'request failed');
      return reply.status(statusCode).send({ error: code });
    }
    request.log.warn({ code, reason: err.message }, 'request rejected');
    return reply.status(statusCode).send({ error: code, message: err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `${request.method} ${request.url} does not exist` }),
  );
}

function describe(err: FastifyError | HttpError): { statusCode: number; code: string } {
  if (err instanceof HttpError) return { statusCode: err.statusCode, code: err.code };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, code: 'payload_too_large' };
  const statusCode = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  return { statusCode, code: statusCode >= 500 ? 'internal_error' : 'bad_request' };
}
