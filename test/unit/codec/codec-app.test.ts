import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { buildCodecApp } from '../../../src/codec/codec-app';
import { payloadsFromJson, payloadsToJson } from '../../../src/codec/payloads-json';
import { loadCodecConfig } from '../../../src/config';
import { EncryptionCodec } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';

const TOKEN = randomBytes(24).toString('base64url');
const UI = 'http://127.0.0.1:8233';
const keys = parsePayloadKeys(`k-codec:${randomBytes(32).toString('base64')}`);
const buyer = { email: 'codec.buyer@example.com', name: 'Ada Lovelace' };
const plainJson = () => payloadsToJson([defaultPayloadConverter.toPayload(buyer)]);

let app: Awaited<ReturnType<typeof buildCodecApp>>;
beforeAll(async () => {
  app = await buildCodecApp({ codec: new EncryptionCodec(keys), authToken: TOKEN, corsOrigins: [UI] });
});
afterAll(() => app.close());

const post = (op: 'decode' | 'encode', payload: object, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  app.inject({
    method: 'POST',
    url: `/codec/${op}`,
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    payload,
  });

describe('the codec server’s HTTP contract (Temporal remote codec format)', () => {
  it('encodes and decodes {payloads:[{metadata, data}]} (base64) round trip with the bearer token', async () => {
    const encoded = await post('encode', plainJson());
    expect(encoded.statusCode).toBe(200);
    const [encrypted] = payloadsFromJson(encoded.json());
    expect(Buffer.from(encrypted.metadata!.encoding).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encrypted.metadata!['encryption-key-id']).toString()).toBe('k-codec');
    expect(encoded.body).not.toContain(Buffer.from(buyer.email).toString('base64').slice(0, 12));

    const decoded = await post('decode', encoded.json());
    expect(decoded.statusCode).toBe(200);
    expect(decoded.headers['cache-control']).toBe('no-store');
    expect(defaultPayloadConverter.fromPayload(payloadsFromJson(decoded.json())[0])).toEqual(buyer);
  });

  it('answers 401 without the token, with a wrong one, and with the "Bearer undefined" a UI without login sends', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: 'Bearer undefined' },
      { authorization: TOKEN },
    ];
    for (const headers of cases) {
      const response = await post('decode', plainJson(), headers);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('answers the UI origin’s CORS preflight, with credentials allowed, and refuses other origins', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const allowed = await preflight(UI);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
    });
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).toEqual(expect.stringContaining('x-namespace'));
    const other = await preflight('https://evil.example');
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The answer itself carries CORS too (a 401 included, so the UI can read why).
    const denied = await post('decode', plainJson(), { origin: UI });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe(UI);
  });

  it('signs a browser in with the token: its HttpOnly, SameSite=Strict cookie then authorizes decode', async () => {
    const login = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/codec/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${encodeURIComponent(token)}`,
      });
    const wrong = await login('not-the-token');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const right = await login(TOKEN);
    expect(right.statusCode).toBe(200);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/^codec_session=[0-9a-f]{64}; Path=\/codec; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(cookie).not.toContain(TOKEN);
    const encoded = await post('encode', plainJson());
    const decoded = await post('decode', encoded.json(), { cookie: cookie.split(';')[0], origin: UI });
    expect(decoded.statusCode).toBe(200);
    expect(defaultPayloadConverter.fromPayload(payloadsFromJson(decoded.json())[0])).toEqual(buyer);
  });

  it('answers 422 naming the key id for a payload of a key it does not hold, and 400 for a malformed body', async () => {
    const other = new EncryptionCodec(parsePayloadKeys(`retired-2025:${randomBytes(32).toString('base64')}`));
    const foreign = payloadsToJson(await other.encode([defaultPayloadConverter.toPayload(buyer)]));
    const unknown = await post('decode', foreign);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toEqual({ error: 'decode_failed', message: expect.stringContaining('key id "retired-2025"') });

    const malformed = await post('decode', { payloads: [{ metadata: { encoding: '***' } }] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: 'invalid_payloads', message: 'payloads.0.metadata.encoding: must be base64' });
  });
});

describe('codec browser sessions', () => {
  const login = (target: Awaited<ReturnType<typeof buildCodecApp>>, headers: Record<string, string> = {}) =>
    target.inject({
      method: 'POST',
      url: '/codec/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
  const decodeWith = (target: Awaited<ReturnType<typeof buildCodecApp>>, cookie: string) =>
    target.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { 'content-type': 'application/json', cookie, origin: UI },
      payload: plainJson(),
    });
  const sessionOf = (response: { headers: Record<string, unknown> }) => String(response.headers['set-cookie']).split(';')[0];

  it('expire on the server: a cookie the browser still sends after its 12 h is refused', async () => {
    let now = Date.parse('2026-12-06T08:00:00Z');
    const timed = await buildCodecApp({ codec: new EncryptionCodec(keys), authToken: TOKEN, corsOrigins: [UI], now: () => now });
    try {
      const cookie = sessionOf(await login(timed));
      expect((await decodeWith(timed, cookie)).statusCode).toBe(200);
      now += 12 * 3600 * 1000 - 1000;
      expect((await decodeWith(timed, cookie)).statusCode).toBe(200);
      now += 2000;
      expect((await decodeWith(timed, cookie)).statusCode).toBe(401);
    } finally {
      await timed.close();
    }
  });

  it('are random, not derived from the token: each sign-in gets its own, and signing out ends only that one', async () => {
    const first = sessionOf(await login(app));
    const second = sessionOf(await login(app));
    expect(first).not.toEqual(second);

    const logout = await app.inject({ method: 'POST', url: '/codec/logout', headers: { cookie: first } });
    expect(logout.statusCode).toBe(200);
    expect(String(logout.headers['set-cookie'])).toMatch(/^codec_session=; Path=\/codec; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await decodeWith(app, first)).statusCode).toBe(401);
    expect((await decodeWith(app, second)).statusCode).toBe(200);
  });

  it('set Secure when served over TLS behind a trusted proxy (X-Forwarded-Proto), and only a trusted one', async () => {
    const behindProxy = await buildCodecApp({ codec: new EncryptionCodec(keys), authToken: TOKEN, corsOrigins: [UI], trustProxy: true });
    try {
      expect(String((await login(behindProxy, { 'x-forwarded-proto': 'https' })).headers['set-cookie'])).toMatch(/; Secure$/);
      expect(String((await login(behindProxy, { 'x-forwarded-proto': 'http' })).headers['set-cookie'])).not.toMatch(/Secure/);
    } finally {
      await behindProxy.close();
    }
    // Without the trust setting, anyone could send the header: it is ignored.
    expect(String((await login(app, { 'x-forwarded-proto': 'https' })).headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('CODEC_TRUST_PROXY: off by default; on, or the proxies’ addresses', () => {
    const base = { PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`, CODEC_AUTH_TOKEN: TOKEN };
    expect(loadCodecConfig(base).CODEC_TRUST_PROXY).toBe(false);
    expect(loadCodecConfig({ ...base, CODEC_TRUST_PROXY: 'on' }).CODEC_TRUST_PROXY).toBe(true);
    expect(loadCodecConfig({ ...base, CODEC_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).CODEC_TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});

describe('the codec server’s configuration', () => {
  const key = `k1:${randomBytes(32).toString('base64')}`;
  it('needs keys and a token of at least 24 characters, naming each variable', () => {
    expect(() => loadCodecConfig({})).toThrow(/CODEC_AUTH_TOKEN: is required/);
    expect(() => loadCodecConfig({ PAYLOAD_KEYS: key, CODEC_AUTH_TOKEN: 'short' })).toThrow(
      /CODEC_AUTH_TOKEN: must be at least 24 characters/,
    );
    expect(() => loadCodecConfig({ CODEC_AUTH_TOKEN: TOKEN })).toThrow(/PAYLOAD_KEYS: is required/);
  });

  it('takes the UI origins from CODEC_CORS_ORIGINS and refuses a URL with a path', () => {
    const config = loadCodecConfig({
      PAYLOAD_KEYS: key,
      CODEC_AUTH_TOKEN: TOKEN,
      CODEC_CORS_ORIGINS: 'http://localhost:8233, https://ui.example.com',
    });
    expect(config).toMatchObject({
      CODEC_PORT: 8888,
      CODEC_HOST: '127.0.0.1',
      CODEC_CORS_ORIGINS: ['http://localhost:8233', 'https://ui.example.com'],
    });
    expect(() => loadCodecConfig({ PAYLOAD_KEYS: key, CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGINS: 'http://localhost:8233/' })).toThrow(
      /CODEC_CORS_ORIGINS: must be comma-separated origins/,
    );
  });
});
