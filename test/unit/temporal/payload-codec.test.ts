import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, ValueError } from '@temporalio/common';
import { loadApiConfig, loadWorkerConfig } from '../../../src/config';
import { createOpsContext } from '../../../src/ops/context';
import { EncryptionCodec, ENCRYPTED_ENCODING, METADATA_ENCRYPTION_KEY_ID } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { MINIMAL_API_ENV, MINIMAL_WORKER_ENV } from '../../support/minimal-env';

const keySpec = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const buyer = { email: 'buyer.secret@example.com', name: 'Ada Lovelace' };
const payload = () => defaultPayloadConverter.toPayload(buyer);

describe('the payload codec (AES-256-GCM)', () => {
  it('encrypts a payload so neither its data nor its metadata shows, and names the key that did', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(keySpec('k2')));
    const [encoded] = await codec.encode([payload()]);
    expect(text(encoded.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k2');
    const raw = Buffer.from(encoded.data!).toString('latin1');
    expect(raw).not.toContain('buyer.secret');
    expect(raw).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(buyer);
  });

  it('encrypts the same value differently each time (a fresh IV per payload)', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(keySpec('k1')));
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('encrypts with the newest key and still decrypts what an older key encrypted (rotation)', async () => {
    const old = keySpec('old');
    const fresh = keySpec('new');
    const [byOld] = await new EncryptionCodec(parsePayloadKeys(old)).encode([payload()]);
    const rotated = new EncryptionCodec(parsePayloadKeys(`${fresh},${old}`));
    const [byNew] = await rotated.encode([payload()]);
    expect(text(byNew.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('new');
    const decoded = await rotated.decode([byOld, byNew]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([buyer, buyer]);
  });

  it('fails to decode a payload of an unknown key with an error naming that key id', async () => {
    const [encoded] = await new EncryptionCodec(parsePayloadKeys(keySpec('retired-2025'))).encode([payload()]);
    await expect(new EncryptionCodec(parsePayloadKeys(keySpec('k3'))).decode([encoded])).rejects.toThrow(
      new ValueError('Cannot decrypt a payload encrypted with key id "retired-2025": no such key in PAYLOAD_KEYS'),
    );
  });

  it('refuses a payload that was altered', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(keySpec('k1')));
    const [encoded] = await codec.encode([payload()]);
    const data = Buffer.from(encoded.data!);
    data[20] = data[20] ^ 1;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/key id "k1"\) does not decrypt/);
  });

  it('passes payloads that are not encrypted through unchanged (histories from before encryption)', async () => {
    const plain = payload();
    await expect(new EncryptionCodec(parsePayloadKeys(keySpec('k1'))).decode([plain])).resolves.toEqual([plain]);
  });
});

describe('payload keys in the configuration', () => {
  const api = MINIMAL_API_ENV;
  const worker = MINIMAL_WORKER_ENV;

  it('is off without keys, and parses PAYLOAD_KEYS newest first when set', () => {
    expect(loadApiConfig(api).payloadKeys).toEqual([]);
    const keys = loadWorkerConfig({ ...worker, PAYLOAD_KEYS: `${keySpec('b')}, ${keySpec('a')}` }).payloadKeys;
    expect(keys.map((k) => k.id)).toEqual(['b', 'a']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it('reads the keys from PAYLOAD_KEYS_FILE, one a line, with comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'payload-keys');
    writeFileSync(file, `# rotated 2026-12\n${keySpec('k2')}\n\n${keySpec('k1')}  # retired, decrypts only\n`);
    expect(loadApiConfig({ ...api, PAYLOAD_KEYS_FILE: file }).payloadKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it.each([
    ['a key of the wrong length', `k1:${randomBytes(16).toString('base64')}`, /PAYLOAD_KEYS: key k1 is 16 bytes; AES-256 needs 32/],
    ['a key that is not base64', 'k1:not*base64!', /PAYLOAD_KEYS: key k1 is not valid base64/],
    ['two keys with one id', `${keySpec('k1')},${keySpec('k1')}`, /PAYLOAD_KEYS: key id k1 appears twice/],
    ['an entry without an id', randomBytes(32).toString('base64'), /PAYLOAD_KEYS: entry 1 is not id:base64key/],
  ])('stops at start-up on %s, naming PAYLOAD_KEYS and never the key', (_, spec, message) => {
    let error: unknown;
    try {
      loadWorkerConfig({ ...worker, PAYLOAD_KEYS: spec });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(spec.split(':').pop());
  });

  it('names PAYLOAD_KEYS_FILE when the file cannot be read, or when both are set', () => {
    expect(() => loadApiConfig({ ...api, PAYLOAD_KEYS_FILE: '/nonexistent/keys' })).toThrow(
      /PAYLOAD_KEYS_FILE: cannot read \/nonexistent\/keys \(ENOENT\)/,
    );
    expect(() => loadApiConfig({ ...api, PAYLOAD_KEYS: keySpec('a'), PAYLOAD_KEYS_FILE: '/x' })).toThrow(
      /PAYLOAD_KEYS: set both PAYLOAD_KEYS and PAYLOAD_KEYS_FILE; use one/,
    );
  });

  it('stops ops before any command on a bad key, naming the variable', () => {
    expect(() => createOpsContext({ PAYLOAD_KEYS: `k1:${randomBytes(31).toString('base64')}` })).toThrow(
      'PAYLOAD_KEYS key k1 is 31 bytes; AES-256 needs 32',
    );
  });
});
