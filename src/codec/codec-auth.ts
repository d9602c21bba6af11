import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Who may use the codec server: a caller with `Authorization: Bearer <CODEC_AUTH_TOKEN>` (the
 * `temporal` CLI's `--codec-auth`, scripts), or a browser that signed in at `/codec/login` and
 * carries its session cookie (the Temporal UI sends cookies with "include cross-origin
 * credentials"; it has no way to send a token of ours).
 */
export const SESSION_COOKIE = 'codec_session';

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The session cookie's value: derived from the token, so rotating the token ends every session. */
export const sessionValue = (token: string) => createHash('sha256').update(`codec-session:${token}`).digest('hex');

export function isAuthorized(request: FastifyRequest, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer && sameSecret(bearer, token)) return true;
  const cookie = cookies(request.headers.cookie)[SESSION_COOKIE];
  return !!cookie && sameSecret(cookie, sessionValue(token));
}

/** The Set-Cookie header of a browser session; SameSite=Strict keeps other sites' pages from using it. */
export function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function tokenMatches(candidate: string, token: string): boolean {
  return candidate.length > 0 && sameSecret(candidate, token);
}
