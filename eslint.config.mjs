// @ts-check
/**
 * Lint keeps the architecture's arrows pointing one way (see docs/architecture.md, "Layout" and "Boundaries"):
 *
 *   src/http, src/ops ──▶ src/ingest ──▶ src/stripe, src/temporal, src/db ──▶ src/contracts
 *   workflows/ ──▶ src/contracts (+ `import type` of activities/)
 *   activities/ ──▶ src/contracts, src/lifecycle (pure rules), src/db, src/catalog, src/ingest
 *   activities/<feature>/ ──▶ activities/shared/ (never another feature; only activities/index.ts
 *     gathers them), and every transaction goes through activities/shared/transaction.ts.
 *   src/worker (the one wiring) ──▶ activities/; nothing imports workflows/ but the bundle entry.
 *   devstack/, test/, bench/ ──▶ anything; src/, workflows/ and activities/ (what ships) never import them.
 *
 * plus type-checked rules (no floating promises) and Prettier for layout.
 */
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const SRC_OUTSIDE_WORKER = [
  'access',
  'catalog',
  'clients',
  'codec',
  'contracts',
  'db',
  'http',
  'ingest',
  'lifecycle',
  'ops',
  'stripe',
  'temporal',
].map((d) => `./src/${d}`);
const PRODUCTION = ['./src', './workflows', './activities'];
/** One folder per feature: a reader follows one of them from the workflow step to the store. */
const ACTIVITY_FEATURES = ['checkout', 'subscriptions', 'purchases', 'email', 'ledger', 'access'];

/** @type {Array<{ target: string | string[]; from: string | string[]; except?: string[]; message: string }>} */
const zones = [
  {
    target: './workflows',
    from: './src',
    except: ['./contracts'],
    message: 'workflows import only src/contracts (they run in the deterministic sandbox).',
  },
  {
    target: ['./activities', './src', './scripts', './bench'],
    from: './workflows',
    message: 'nothing imports workflows/: shared contracts live in src/contracts.',
  },
  {
    target: './src/contracts',
    from: [
      './src/access',
      './src/catalog',
      './src/clients',
      './src/codec',
      './src/db',
      './src/http',
      './src/ingest',
      './src/lifecycle',
      './src/ops',
      './src/stripe',
      './src/temporal',
      './src/worker',
      './activities',
      './workflows',
    ],
    message: 'src/contracts depends on nothing of the service.',
  },
  { target: SRC_OUTSIDE_WORKER, from: './activities', message: 'only the worker wiring (src/worker) imports activities/.' },
  ...ACTIVITY_FEATURES.map((feature) => ({
    target: `./activities/${feature}`,
    from: ACTIVITY_FEATURES.filter((other) => other !== feature).map((other) => `./activities/${other}`),
    message: 'an activity feature folder imports only activities/shared/ and src/: move what two features need to one of those.',
  })),
  {
    target: './activities/shared',
    from: ACTIVITY_FEATURES.map((feature) => `./activities/${feature}`),
    message: 'activities/shared/ serves the feature folders and imports none of them.',
  },
  {
    target: './src/lifecycle',
    from: ['./src/db', './src/generated', './activities', './src/clients'],
    message: 'src/lifecycle holds pure rules; their database store lives in activities/.',
  },
  { target: PRODUCTION, from: './test', message: 'production code never imports test support.' },
  {
    target: PRODUCTION,
    from: './devstack',
    message: 'devstack/ is the local stack (npm run dev, simulate, tests, bench); what ships never imports it.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'src/generated/',
      '.tools/',
      '.dev/',
      'coverage/',
      'test-artifacts/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': 'error',
      // An async function without await is how Fastify plugins and typed async doubles are written.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // One way into a transaction, so none runs on Prisma's short defaults (maxWait 2 s, timeout 5 s).
    files: ['src/**/*.ts', 'activities/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    ignores: ['activities/shared/transaction.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='$transaction']",
          message: 'run transactions through inTransaction(db, fn) (activities/shared/transaction.ts): it sets TRANSACTION_OPTIONS.',
        },
      ],
    },
  },
  {
    // Tests read JSON answers (webhook bodies, `ops --json`, metrics) and assert on their shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/contracts/**/*.ts'],
    rules: {
      // The workflow sandbox has no Node built-ins; the contracts are bundled into it.
      'import-x/no-nodejs-modules': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'workflows import activity types only: `import type`.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
