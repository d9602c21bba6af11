import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKey } from './payload-keys';

/** Metadata of an encrypted payload, as in Temporal's encryption sample. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * AES-256-GCM over each whole payload (its metadata too: the JSON encoding says nothing, but
 * it stays inside). Data = IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes), WebCrypto's layout.
 * The newest key (the first) encrypts; every key decrypts the payloads that name it. A
 * payload that is not encrypted passes through, so histories from before encryption decode.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_ENCRYPTION_KEY_ID]: utf8(this.current.id) },
      data: new Uint8Array(data),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]);
    if (!keyId) throw new ValueError('Cannot decrypt a payload without an encryption-key-id');
    const key = this.byId.get(keyId);
    if (!key) throw new ValueError(`Cannot decrypt a payload encrypted with key id "${keyId}": no such key in PAYLOAD_KEYS`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`Encrypted payload (key id "${keyId}") is too short`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(`Encrypted payload (key id "${keyId}") does not decrypt: altered, or a different key under that id`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The data converter every process uses: encrypting when keys are configured, Temporal's default otherwise. */
export function payloadDataConverter(keys: readonly PayloadKey[]): DataConverter | undefined {
  return keys.length ? { payloadCodecs: [new EncryptionCodec([...keys])] } : undefined;
}
