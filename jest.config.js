/**
 * Three layers (`npm test` runs all three):
 *  - unit: pure rules, parsers, the ops CLI, and workflow logic with stubbed activities on a
 *    Temporal dev server a test file starts itself. No shared stack: `npm run test:unit`.
 *  - integration: the real webhook, worker, Temporal dev server, PostgreSQL, stripe-mock and
 *    a local Postmark, started once in test/support/global-setup.ts.
 *  - faults: the API and worker as processes of their own on a Temporal dev server, a PostgreSQL
 *    and a local Postmark the suite owns, while one of them fails (`npm run test:faults`).
 *  - cluster: two APIs and three workers on a PostgreSQL-backed Temporal server (v1.29.1, as
 *    production and docker-compose.yml run it), through crashes, a rolling restart and a server
 *    restart (`npm run test:cluster`).
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  // ES-module-only dependencies (cookie 2, used by fastify's inject; the schema engine's
  // wasm-bindgen glue) are compiled to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@prisma/schema-engine-wasm)/)'],
  testMatch: ['**/*.test.ts'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    { ...shared, displayName: 'faults', roots: ['<rootDir>/test/faults'] },
    { ...shared, displayName: 'cluster', roots: ['<rootDir>/test/cluster'] },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
