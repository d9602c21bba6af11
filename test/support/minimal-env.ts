/** The least each process's configuration accepts (src/config.ts), for tests that vary one variable. */
export const MINIMAL_API_ENV = { DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x' };
export const MINIMAL_WORKER_ENV = {
  DATABASE_URL: 'postgresql://db/app',
  STRIPE_SECRET_KEY: 'sk_test_x',
  POSTMARK_SERVER_TOKEN: 't',
  POSTMARK_FROM: 'a@b.c',
};
