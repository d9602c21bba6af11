import { devOpsEnv } from '../../../devstack/ops';
import type { DevState } from '../../../devstack/dev-state';
import { createOpsContext } from '../../../src/ops/context';

const dev: DevState = {
  apiUrl: 'http://127.0.0.1:3000',
  webhookSecret: 'whsec_dev',
  temporalAddress: '127.0.0.1:7299',
  temporalUiUrl: 'http://127.0.0.1:8233',
  databaseUrl: 'postgresql://dev@127.0.0.1:5999/dev',
  stripeSecretKey: 'sk_test_dev',
  postmarkServerToken: 'local-postmark-token',
  postmarkUrl: 'http://127.0.0.1:8025',
};

describe('ops reads only its environment; npm run ops fills it from the dev stack', () => {
  it('the production CLI names the missing variable instead of reading a dev stack', () => {
    const ctx = createOpsContext({ PAYLOAD_KEYS: '' });
    expect(() => ctx.db).toThrow('DATABASE_URL is not set');
    expect(() => ctx.stripe).toThrow('STRIPE_SECRET_KEY is not set');
  });

  it('the dev launcher fills only the variables that are not set, and not those given as files', () => {
    const env = devOpsEnv({ DATABASE_URL: 'postgresql://mine/db', STRIPE_SECRET_KEY_FILE: '/run/secrets/stripe' }, dev);
    expect(env.DATABASE_URL).toBe('postgresql://mine/db');
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env.TEMPORAL_ADDRESS).toBe('127.0.0.1:7299');
    expect(env.POSTMARK_API_URL).toBe('http://127.0.0.1:8025');
  });

  it('without a running dev stack the environment is left as it is', () => {
    expect(devOpsEnv({ DATABASE_URL: 'x' }, null)).toEqual({ DATABASE_URL: 'x' });
  });
});
