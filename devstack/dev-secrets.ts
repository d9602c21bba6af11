import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_DIR } from './dev-state';

/**
 * The dev stack's own secrets, made once in DEV_DIR (git-ignored, mode 0600) and reused on
 * every start, so the histories it encrypted stay readable and a browser stays signed in.
 */
export function devPayloadKeysFile(): string {
  const file = join(DEV_DIR, 'payload-keys');
  return ensure(
    file,
    () => `# npm run dev's local payload key (newest first; never use it anywhere else)\ndev-local:${randomBytes(32).toString('base64')}\n`,
  );
}

export function devCodecToken(): string {
  return readFileSync(
    ensure(join(DEV_DIR, 'codec-token'), () => `${randomBytes(24).toString('base64url')}\n`),
    'utf8',
  ).trim();
}

/** The secret the dev stack signs access events with, and its stand-in product verifies with. */
export function devAppWebhookSecret(): string {
  return readFileSync(
    ensure(join(DEV_DIR, 'app-webhook-secret'), () => `${randomBytes(24).toString('hex')}\n`),
    'utf8',
  ).trim();
}

/** The bearer token of the dev stack's GET /access (ACCESS_API_TOKENS). */
export function devAccessToken(): string {
  return readFileSync(
    ensure(join(DEV_DIR, 'access-token'), () => `${randomBytes(24).toString('hex')}\n`),
    'utf8',
  ).trim();
}

function ensure(file: string, content: () => string): string {
  if (!existsSync(file)) {
    mkdirSync(DEV_DIR, { recursive: true });
    writeFileSync(file, content(), { mode: 0o600, flag: 'wx' });
  }
  return file;
}
