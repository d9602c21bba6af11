import { readFileSync } from 'node:fs';

/** One AES-256 key of the payload codec, named by the id written into each payload it encrypts. */
export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses `id:base64key` entries, separated by commas or new lines, newest first (the first
 * encrypts; every one decrypts). Blank lines and `#` comments are skipped, so a key file can
 * say which key is which. Throws a message that names the offending key id, never a key.
 */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const entries = spec
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('holds no key (expected id:base64key, comma-separated, newest first)');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`entry ${i + 1} is not id:base64key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new Error(`entry ${i + 1}: the key id must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (!BASE64.test(encoded)) throw new Error(`key ${id} is not valid base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`key ${id} is ${key.length} bytes; AES-256 needs 32 (e.g. \`openssl rand -base64 32\`)`);
    return { id, key };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new Error(`key id ${id} appears twice`);
    seen.add(id);
  }
  return keys;
}

/** PAYLOAD_KEYS, else the keys in PAYLOAD_KEYS_FILE, else none (payloads stay plain). Throws naming the variable. */
export function payloadKeysFromEnv(env: { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string }): PayloadKey[] {
  const inline = env.PAYLOAD_KEYS?.trim();
  const file = env.PAYLOAD_KEYS_FILE?.trim();
  // The same words as the secret-file convention (<NAME>_FILE) for every other secret.
  if (inline && file) throw new PayloadKeyError('PAYLOAD_KEYS', 'set both PAYLOAD_KEYS and PAYLOAD_KEYS_FILE; use one');
  if (inline) return withName('PAYLOAD_KEYS', () => parsePayloadKeys(inline));
  if (!file) return [];
  return withName('PAYLOAD_KEYS_FILE', () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new PayloadKeyError('PAYLOAD_KEYS_FILE', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return parsePayloadKeys(text);
  });
}

/** A bad key setting: `variable` is the environment variable, `reason` what is wrong with it. */
export class PayloadKeyError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

function withName<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof PayloadKeyError ? err : new PayloadKeyError(name, (err as Error).message);
  }
}
