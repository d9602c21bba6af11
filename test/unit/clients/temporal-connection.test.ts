import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalConnectionOptions } from '../../../src/clients/temporal';
import { loadApiConfig, loadWorkerConfig } from '../../../src/config';
import { MINIMAL_API_ENV } from '../../support/minimal-env';

/** Temporal Cloud (API key) and mTLS: the connection options each configuration builds. */
const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const api = MINIMAL_API_ENV;
const worker = { DATABASE_URL: 'postgresql://db/app', STRIPE_SECRET_KEY: 'sk_test_x', POSTMARK_SERVER_TOKEN: 't', POSTMARK_FROM: 'a@b.c' };

describe('Temporal connection options', () => {
  it('plain address by default (a dev server or an in-cluster frontend)', () => {
    expect(temporalConnectionOptions(loadApiConfig(api))).toEqual({ address: 'localhost:7233' });
  });

  it('an API key (Temporal Cloud) turns TLS on', () => {
    const config = loadWorkerConfig({
      ...worker,
      TEMPORAL_ADDRESS: 'fulfil.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'fulfil.a1b2c',
      TEMPORAL_API_KEY: 'key-123',
    });
    expect(temporalConnectionOptions(config)).toEqual({ address: 'fulfil.a1b2c.tmprl.cloud:7233', apiKey: 'key-123', tls: true });
    expect(config.TEMPORAL_NAMESPACE).toBe('fulfil.a1b2c');
  });

  it('mTLS reads the client certificate pair and the server CA from files', () => {
    const config = loadApiConfig({
      ...api,
      TEMPORAL_TLS_CERT: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY: file('client.key', 'KEY'),
      TEMPORAL_TLS_CA: file('ca.pem', 'CA'),
    });
    expect(temporalConnectionOptions(config)).toEqual({
      address: 'localhost:7233',
      tls: { clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverRootCACertificate: Buffer.from('CA') },
    });
  });

  it('refuses a certificate without its key, naming both variables', () => {
    expect(() => loadApiConfig({ ...api, TEMPORAL_TLS_CERT: file('only.pem', 'CERT') })).toThrow(
      /TEMPORAL_TLS_CERT.*TEMPORAL_TLS_KEY|TEMPORAL_TLS_KEY.*TEMPORAL_TLS_CERT/,
    );
  });
});
