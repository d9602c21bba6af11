/** Where global-setup put the shared services; read by every test file. */
export const testEnv = {
  get databaseUrl(): string {
    return required('TEST_DATABASE_URL');
  },
  get temporalAddress(): string {
    return required('TEST_TEMPORAL_ADDRESS');
  },
  get stripeApiBase(): string {
    return required('TEST_STRIPE_API_BASE');
  },
  get workflowBundlePath(): string {
    return required('TEST_WORKFLOW_BUNDLE');
  },
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest's global setup starts the services)`);
  return value;
}
