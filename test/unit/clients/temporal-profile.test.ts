import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalConnectionOptions } from '../../../src/clients/temporal';
import { loadApiConfig, loadWorkerConfig } from '../../../src/config';

/** Temporal's environment configuration: one TOML profile (and TEMPORAL_* variables) for every process. */
const dir = mkdtempSync(join(tmpdir(), 'temporal-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const toml = join(dir, 'temporal.toml');
for (const file of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(join(dir, file), `-- ${file} --`);
writeFileSync(
  toml,
  [
    '[profile.default]',
    'address = "localhost:7233"',
    '[profile.production]',
    'address = "temporal.internal:7233"',
    'namespace = "fulfillment-prod"',
    '[profile.production.tls]',
    `client_cert_path = "${join(dir, 'client.pem')}"`,
    `client_key_path = "${join(dir, 'client.key')}"`,
    `server_ca_cert_path = "${join(dir, 'ca.pem')}"`,
    'server_name = "temporal.internal"',
  ].join('\n'),
);
const base = { DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x' };
const worker = { DATABASE_URL: 'postgresql://db/app', STRIPE_SECRET_KEY: 'sk_test_x', POSTMARK_SERVER_TOKEN: 't', POSTMARK_FROM: 'a@b.c' };

describe('the Temporal connection profile', () => {
  it('gives the API and the worker the same address, namespace and mTLS files from TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE', () => {
    const env = { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'production' };
    for (const config of [loadApiConfig({ ...base, ...env }), loadWorkerConfig({ ...worker, ...env })]) {
      expect(config).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'fulfillment-prod',
        TEMPORAL_TLS_CERT: join(dir, 'client.pem'),
        TEMPORAL_TLS_KEY: join(dir, 'client.key'),
        TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      });
    }
    const options = temporalConnectionOptions(loadWorkerConfig({ ...worker, ...env }));
    expect(options.tls).toMatchObject({
      serverNameOverride: 'temporal.internal',
      clientCertPair: { crt: Buffer.from('-- client.pem --') },
    });
  });

  it('lets the existing variables win over the profile, and reads Temporal’s standard variables too', () => {
    const config = loadApiConfig({
      ...base,
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'production',
      TEMPORAL_ADDRESS: 'override:7233',
      TEMPORAL_TLS_CA: '/etc/ours/ca.pem',
    });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'override:7233',
      TEMPORAL_NAMESPACE: 'fulfillment-prod',
      TEMPORAL_TLS_CA: '/etc/ours/ca.pem',
    });
    const standard = loadApiConfig({
      ...base,
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem',
    });
    expect(standard).toMatchObject({ TEMPORAL_ADDRESS: 'localhost:7233', TEMPORAL_TLS_CERT: '/c.pem', TEMPORAL_TLS_KEY: '/k.pem' });
  });

  it('without a profile keeps today’s defaults', () => {
    expect(loadApiConfig({ ...base, TEMPORAL_CONFIG_FILE: toml })).toMatchObject({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
    });
  });

  it('names the variable when the file or the profile does not exist', () => {
    expect(() => loadApiConfig({ ...base, TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toThrow(
      /TEMPORAL_CONFIG_FILE: .*missing\.toml does not exist/,
    );
    expect(() => loadApiConfig({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).toThrow(
      /TEMPORAL_PROFILE: .*staging/,
    );
  });
});
