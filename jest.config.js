/** Jest runs against a real Temporal dev server, real PostgreSQL and stripe-mock, started
 *  once in test/support/global-setup.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  // ES-module-only dependencies (cookie 2, used by fastify's inject; the schema engine's
  // wasm-bindgen glue) are compiled to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@prisma/schema-engine-wasm)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
