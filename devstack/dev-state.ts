import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Folder for the local stack's data (embedded PostgreSQL, Temporal's SQLite): the git-ignored
 *  .dev/ unless DEV_DIR says otherwise. */
export const DEV_DIR = resolve(process.env.DEV_DIR ?? resolve(__dirname, '../.dev'));
const STATE_FILE = join(DEV_DIR, 'dev-env.json');

/** What `npm run dev` tells `npm run simulate`: where the API listens and which secret it checks. */
export interface DevState {
  apiUrl: string;
  webhookSecret: string;
  temporalAddress: string;
  temporalUiUrl: string;
  /** For `npm run ops` against the dev stack. */
  databaseUrl?: string;
  stripeApiBase?: string;
  stripeSecretKey?: string;
  /** The local Postmark and its placeholder token (never a real token), for `ops emails push`. */
  postmarkUrl?: string;
  postmarkServerToken?: string;
  /** The local payload key file (PAYLOAD_KEYS_FILE) the dev stack encrypts histories with. */
  payloadKeysFile?: string;
  /** The dev codec server and its bearer token, for `temporal --codec-endpoint … --codec-auth …`. */
  codecUrl?: string;
}

export function writeDevState(state: DevState): void {
  mkdirSync(DEV_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function readDevState(): DevState | null {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DevState;
  } catch {
    return null;
  }
}
