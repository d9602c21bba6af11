import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` against every configured token in constant time: each
 * comparison is of two SHA-256 digests (equal lengths whatever was sent), and every token is
 * compared, so neither a token's length nor which token matched shows in the answer's timing.
 */
export function createBearerCheck(tokens: string[]): (authorization: string | undefined) => boolean {
  const digests = tokens.map(digest);
  return (authorization) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!presented) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    return matched;
  };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
