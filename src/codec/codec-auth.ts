import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

/**
 * Browser sessions, held by the server: a random id per sign-in (never derived from the token),
 * valid until it expires here — whatever the browser does with the cookie — or is signed out.
 * They live in the process: a restart, or a new token (which needs one), ends every session.
 */
export class CodecSessions {
  /** sha256(session id) → expiry, unix ms (the id itself is only in the browser's cookie). */
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly seconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): { id: string; maxAgeSeconds: number } {
    this.sweep();
    const id = randomBytes(32).toString('hex');
    this.sessions.set(digest(id).toString('hex'), this.now() + this.seconds * 1000);
    return { id, maxAgeSeconds: this.seconds };
  }

  isValid(id: string | undefined): boolean {
    if (!id) return false;
    const key = digest(id).toString('hex');
    const expires = this.sessions.get(key);
    if (expires === undefined) return false;
    if (this.now() >= expires) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(digest(id).toString('hex'));
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, expires] of this.sessions) if (now >= expires) this.sessions.delete(key);
  }
}

export const sessionIdOf = (request: FastifyRequest): string | undefined => cookies(request.headers.cookie)[SESSION_COOKIE];

export function isAuthorized(request: FastifyRequest, token: string, sessions: CodecSessions): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer && sameSecret(bearer, token)) return true;
  return sessions.isValid(sessionIdOf(request));
}

/** The Set-Cookie header of a browser session (an empty value and Max-Age=0 end it); SameSite=Strict keeps other sites' pages from using it. */
export function sessionCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
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
