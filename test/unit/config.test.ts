import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIVITY_ATTEMPTS_CEILING } from '../../src/contracts';
import { acceptedLivemode, loadApiConfig, loadWorkerConfig } from '../../src/config';
import { MINIMAL_API_ENV, MINIMAL_WORKER_ENV } from '../support/minimal-env';

describe('configuration', () => {
  it('names every missing variable at start-up', () => {
    expect(() => loadWorkerConfig({})).toThrow(/DATABASE_URL[\s\S]*STRIPE_SECRET_KEY[\s\S]*POSTMARK_SERVER_TOKEN[\s\S]*POSTMARK_FROM/);
  });

  it('rejects a malformed value with the variable’s name', () => {
    expect(() => loadApiConfig({ DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x', PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadApiConfig({ DATABASE_URL: 'mysql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ URL/,
    );
  });

  it('accepts several comma-separated webhook secrets for secret rolling', () => {
    const config = loadApiConfig({ DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_old, whsec_new' });
    expect(config.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_old', 'whsec_new']);
  });

  it('documents its defaults', () => {
    const config = loadWorkerConfig({
      DATABASE_URL: 'postgresql://db/app',
      STRIPE_SECRET_KEY: 'sk_test_x',
      POSTMARK_SERVER_TOKEN: 't',
      POSTMARK_FROM: 'a@b.c',
    });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'stripe-fulfillment',
      STRIPE_API_BASE: 'https://api.stripe.com',
      POSTMARK_API_URL: 'https://api.postmarkapp.com',
      POSTMARK_WELCOME_TEMPLATE: 'welcome',
    });
  });

  const worker = MINIMAL_WORKER_ENV;

  it('accepts only the activity attempts the workflows honour', () => {
    expect(loadWorkerConfig({ ...worker, ACTIVITY_MAX_ATTEMPTS: String(ACTIVITY_ATTEMPTS_CEILING) }).ACTIVITY_MAX_ATTEMPTS).toBe(
      ACTIVITY_ATTEMPTS_CEILING,
    );
    expect(() => loadWorkerConfig({ ...worker, ACTIVITY_MAX_ATTEMPTS: String(ACTIVITY_ATTEMPTS_CEILING + 1) })).toThrow(
      new RegExp(`ACTIVITY_MAX_ATTEMPTS: .*${ACTIVITY_ATTEMPTS_CEILING}`),
    );
  });

  it('runs activities and local activities at once only as many as the database pool has connections, and never more', () => {
    expect(loadWorkerConfig(worker)).toMatchObject({
      WORKER_DB_POOL_SIZE: 16,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 8,
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 8,
    });
    expect(loadWorkerConfig({ ...worker, WORKER_DB_POOL_SIZE: '2' })).toMatchObject({
      WORKER_MAX_CONCURRENT_ACTIVITIES: 1,
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 1,
    });
    expect(loadWorkerConfig({ ...worker, WORKER_DB_POOL_SIZE: '40', WORKER_MAX_CONCURRENT_ACTIVITIES: '25' })).toMatchObject({
      WORKER_DB_POOL_SIZE: 40,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 25,
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 15,
    });
    expect(() => loadWorkerConfig({ ...worker, WORKER_DB_POOL_SIZE: '10', WORKER_MAX_CONCURRENT_ACTIVITIES: '10' })).toThrow(
      /WORKER_MAX_CONCURRENT_ACTIVITIES: .*\(10\) \+ WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES \(0\) must be at most WORKER_DB_POOL_SIZE \(10\)/,
    );
    expect(() =>
      loadWorkerConfig({ ...worker, WORKER_MAX_CONCURRENT_ACTIVITIES: '10', WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '7' }),
    ).toThrow(/WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: .*must be at most WORKER_DB_POOL_SIZE \(16\)/);
    expect(() => loadWorkerConfig({ ...worker, WORKER_DB_POOL_SIZE: 'many' })).toThrow(/WORKER_DB_POOL_SIZE/);
  });

  it('refuses a reconciliation interval or lookback of zero at start, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...worker, RECONCILE_EVERY: '0s' })).toThrow(/RECONCILE_EVERY: must be at least 1m/);
    expect(() => loadWorkerConfig({ ...worker, RECONCILE_LOOKBACK: '0h' })).toThrow(/RECONCILE_LOOKBACK: must be at least 1m/);
    expect(loadWorkerConfig({ ...worker, RECONCILE_EVERY: 'off' }).RECONCILE_EVERY).toBeNull();
    expect(loadWorkerConfig({ ...worker, RECONCILE_EVERY: '15m' }).RECONCILE_EVERY).toBe(900_000);
  });

  it('takes the account mode whose events are ours from STRIPE_MODE, else the secret key, else accepts both', () => {
    // Live mode needs payload keys, or encryption explicitly off.
    const api = { DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x', PAYLOAD_ENCRYPTION: 'off' };
    expect(acceptedLivemode(loadApiConfig({ ...api, STRIPE_MODE: 'live', STRIPE_SECRET_KEY: 'sk_test_x' }))).toBe(true);
    expect(acceptedLivemode(loadApiConfig({ ...api, STRIPE_SECRET_KEY: 'rk_live_x' }))).toBe(true);
    expect(acceptedLivemode(loadApiConfig({ ...api, STRIPE_SECRET_KEY: 'sk_test_x' }))).toBe(false);
    expect(acceptedLivemode(loadApiConfig(api))).toBeUndefined();
    expect(() => loadApiConfig({ ...api, STRIPE_MODE: 'production' })).toThrow(/STRIPE_MODE/);
  });

  describe('secrets from files (<NAME>_FILE, as Docker and Kubernetes mount them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-secrets-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const secretFile = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    it('reads each secret from its file, without the trailing newline', () => {
      const config = loadWorkerConfig({
        POSTMARK_FROM: 'a@b.c',
        PAYLOAD_ENCRYPTION: 'off',
        DATABASE_URL_FILE: secretFile('db', 'postgresql://app:s3cret@db/app\n'),
        STRIPE_SECRET_KEY_FILE: secretFile('stripe', 'rk_live_fromfile\n'),
        POSTMARK_SERVER_TOKEN_FILE: secretFile('postmark', 'pm-token'),
      });
      expect(config).toMatchObject({
        DATABASE_URL: 'postgresql://app:s3cret@db/app',
        STRIPE_SECRET_KEY: 'rk_live_fromfile',
        POSTMARK_SERVER_TOKEN: 'pm-token',
      });
      const api = loadApiConfig({
        DATABASE_URL: 'postgresql://db/app',
        STRIPE_WEBHOOK_SECRET_FILE: secretFile('whsec', 'whsec_a,whsec_b\n'),
      });
      expect(api.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_a', 'whsec_b']);
    });

    it('refuses a secret set both ways, or a file it cannot read, naming the variable and never the content', () => {
      const both = () => loadWorkerConfig({ ...worker, STRIPE_SECRET_KEY_FILE: secretFile('stripe2', 'rk_live_other') });
      expect(both).toThrow(/STRIPE_SECRET_KEY: set both STRIPE_SECRET_KEY and STRIPE_SECRET_KEY_FILE/);
      expect(both).not.toThrow(/rk_live_other|sk_test_x/);
      expect(() => loadWorkerConfig({ ...worker, STRIPE_SECRET_KEY: undefined, STRIPE_SECRET_KEY_FILE: join(dir, 'missing') })).toThrow(
        /STRIPE_SECRET_KEY_FILE: cannot read .*missing \(ENOENT\)/,
      );
    });
  });
});

describe('the product’s side: GET /access and access events', () => {
  const api = MINIMAL_API_ENV;
  const worker = MINIMAL_WORKER_ENV;
  const token = (c: string) => c.repeat(24);

  it('are off unless set: no token, no webhook, the sweep every 5 minutes once on', () => {
    expect(loadApiConfig(api).ACCESS_API_TOKENS).toEqual([]);
    expect(loadApiConfig({ ...api, ACCESS_API_TOKENS: '' }).ACCESS_API_TOKENS).toEqual([]);
    expect(loadWorkerConfig(worker).APP_WEBHOOK_URL).toBeUndefined();
    // docker-compose passes both empty when they are not set.
    expect(loadWorkerConfig({ ...worker, APP_WEBHOOK_URL: '', APP_WEBHOOK_SECRETS: '' }).APP_WEBHOOK_URL).toBeUndefined();
    expect(loadWorkerConfig(worker)).toMatchObject({
      APP_WEBHOOK_SECRETS: [],
      APP_WEBHOOK_SWEEP_EVERY: 300_000,
    });
  });

  it('take several comma-separated tokens and secrets, for rolling', () => {
    expect(loadApiConfig({ ...api, ACCESS_API_TOKENS: `${token('a')}, ${token('b')}` }).ACCESS_API_TOKENS).toEqual([
      token('a'),
      token('b'),
    ]);
    const config = loadWorkerConfig({
      ...worker,
      APP_WEBHOOK_URL: 'https://app.example.com/hooks/access',
      APP_WEBHOOK_SECRETS: `${token('n')},${token('o')}`,
    });
    expect(config.APP_WEBHOOK_SECRETS).toEqual([token('n'), token('o')]);
  });

  it('refuse a webhook without a secret, and a token or secret shorter than 24 characters, naming the variable and never the value', () => {
    expect(() => loadWorkerConfig({ ...worker, APP_WEBHOOK_URL: 'https://app.example.com/hooks/access' })).toThrow(
      /APP_WEBHOOK_SECRETS: is required with APP_WEBHOOK_URL/,
    );
    expect(() => loadApiConfig({ ...api, ACCESS_API_TOKENS: 'short-token' })).toThrow(/ACCESS_API_TOKENS: must be bearer tokens/);
    expect(() => loadApiConfig({ ...api, ACCESS_API_TOKENS: 'short-token' })).not.toThrow(/short-token/);
    expect(() =>
      loadWorkerConfig({ ...worker, APP_WEBHOOK_URL: 'https://app.example.com/x', APP_WEBHOOK_SECRETS: `${token('n')},tiny` }),
    ).toThrow(/APP_WEBHOOK_SECRETS: must be signing secrets/);
    expect(() => loadWorkerConfig({ ...worker, APP_WEBHOOK_URL: 'ftp://app.example.com/x', APP_WEBHOOK_SECRETS: token('n') })).toThrow(
      /APP_WEBHOOK_URL/,
    );
  });
});

describe('payload encryption in live mode', () => {
  const api = MINIMAL_API_ENV;
  const worker = { DATABASE_URL: 'postgresql://db/app', POSTMARK_SERVER_TOKEN: 't', POSTMARK_FROM: 'a@b.c' };
  const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

  it('a live API or worker without payload keys refuses to start, naming PAYLOAD_KEYS and the way to turn encryption off', () => {
    expect(() => loadApiConfig({ ...api, STRIPE_MODE: 'live' })).toThrow(
      /PAYLOAD_KEYS: is required in live mode[\s\S]*PAYLOAD_ENCRYPTION=off/,
    );
    expect(() => loadApiConfig({ ...api, STRIPE_SECRET_KEY: 'rk_live_x' })).toThrow(/PAYLOAD_KEYS: is required in live mode/);
    expect(() => loadWorkerConfig({ ...worker, STRIPE_SECRET_KEY: 'sk_live_x' })).toThrow(/PAYLOAD_KEYS: is required in live mode/);
  });

  it('starts with keys, with encryption explicitly off, or in test mode', () => {
    expect(loadApiConfig({ ...api, STRIPE_MODE: 'live', PAYLOAD_KEYS: KEYS }).payloadKeys).toHaveLength(1);
    expect(loadApiConfig({ ...api, STRIPE_MODE: 'live', PAYLOAD_ENCRYPTION: 'off' }).payloadKeys).toEqual([]);
    expect(loadWorkerConfig({ ...worker, STRIPE_SECRET_KEY: 'rk_live_x', PAYLOAD_ENCRYPTION: 'off' }).payloadKeys).toEqual([]);
    expect(loadApiConfig({ ...api, STRIPE_MODE: 'test' }).payloadKeys).toEqual([]);
    expect(loadWorkerConfig({ ...worker, STRIPE_SECRET_KEY: 'sk_test_x' }).payloadKeys).toEqual([]);
  });

  it('refuses PAYLOAD_ENCRYPTION=off next to keys (one or the other)', () => {
    expect(() => loadApiConfig({ ...api, PAYLOAD_KEYS: KEYS, PAYLOAD_ENCRYPTION: 'off' })).toThrow(/PAYLOAD_ENCRYPTION/);
  });
});
