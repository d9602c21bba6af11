import { execFileSync } from 'node:child_process';
import { ROOT } from '../support/paths';

/**
 * The import arrows of the layout are enforced by `npm run lint` (eslint.config.mjs). Each case
 * lints a small change to a real file of the tree and expects the rule that must catch it.
 */
const CASES = {
  nodeBuiltinInWorkflow: [
    'workflows/grace-review.ts',
    "import { createHash } from 'node:crypto';\nexport const hash = (s: string) => createHash('sha256').update(s).digest('hex');\n",
  ],
  activityImportsWorkflows: [
    'activities/ledger/record-outcome.ts',
    "import { reviewAccessWhenGraceEnds } from '../../workflows/grace-review';\nexport const review = reviewAccessWhenGraceEnds;\n",
  ],
  activityImportsAnotherFeature: [
    'activities/subscriptions/record-subscription-event.ts',
    "import { createResolvePurchase } from '../checkout/resolve-purchase';\nexport const make = createResolvePurchase;\n",
  ],
  activityImportsShared: [
    'activities/subscriptions/record-subscription-event.ts',
    "import { inTransaction } from '../shared/transaction';\nexport const run = inTransaction;\n",
  ],
  sharedImportsFeature: [
    'activities/shared/entitlements.ts',
    "import { lockSubscription } from '../subscriptions/subscription-store';\nexport const lock = lockSubscription;\n",
  ],
  bareTransaction: [
    'activities/purchases/purchase-store.ts',
    "import type { PrismaClient } from '../../src/generated/prisma/client';\nexport const run = (db: PrismaClient) => db.$transaction(async () => 1);\n",
  ],
  workflowImportsActivityTypes: [
    'workflows/activity-calls.ts',
    "import type { createActivities } from '../activities';\nexport type A = ReturnType<typeof createActivities>;\n",
  ],
  workflowImportsActivityCode: [
    'workflows/activity-calls.ts',
    "import { createActivities } from '../activities';\nexport const make = createActivities;\n",
  ],
  workflowReachesIntoService: [
    'workflows/grace-review.ts',
    "import { emailHash } from '../src/temporal/email-hash';\nexport const hash = emailHash;\n",
  ],
  httpImportsActivities: [
    'src/http/health-routes.ts',
    "import { createActivities } from '../../activities';\nexport const make = createActivities;\n",
  ],
  opsImportsDevstack: [
    'src/ops/context.ts',
    "import { readDevState } from '../../devstack/dev-state';\nexport const read = readDevState;\n",
  ],
  activityImportsDevstack: [
    'activities/email/send-welcome-email.ts',
    "import { startLocalPostmark } from '../../devstack/local-postmark';\nexport const start = startLocalPostmark;\n",
  ],
  testImportsDevstack: [
    'test/support/paths.ts',
    "import { readDevState } from '../../devstack/dev-state';\nexport const read = readDevState;\n",
  ],
  accessReaderImportsActivities: [
    'src/access/snapshot.ts',
    "import { recordAccessChange } from '../../activities/shared/access-changes';\nexport const record = recordAccessChange;\n",
  ],
  accessFeatureImportsAnotherFeature: [
    'activities/access/pending-access-events.ts',
    "import { createSyncAccess } from '../subscriptions/sync-access';\nexport const make = createSyncAccess;\n",
  ],
  floatingPromise: ['src/shutdown.ts', 'export function f(p: () => Promise<void>): void {\n  p();\n}\n'],
} satisfies Record<string, [file: string, code: string]>;

/** ESLint's flat config is an ES module, which jest's CommonJS runtime cannot load: lint every
 *  case in one child node process (one type-checking start-up) and read the rule ids back. */
const SCRIPT = `
  import { ESLint } from 'eslint';
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = {};
  for (const [name, [file, code]] of Object.entries(JSON.parse(process.argv[1]))) {
    const [result] = await eslint.lintText(code, { filePath: file });
    out[name] = result.messages.map((m) => m.ruleId ?? m.message);
  }
  console.log(JSON.stringify(out));
`;
let broken: Record<keyof typeof CASES, string[]>;
beforeAll(() => {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT, JSON.stringify(CASES)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  broken = JSON.parse(output);
}, 60_000);

describe('lint keeps the layout’s dependencies one way', () => {
  it('refuses a Node built-in in workflow code', () => {
    expect(broken.nodeBuiltinInWorkflow).toContain('import-x/no-nodejs-modules');
  });

  it('refuses an activity that imports from workflows/', () => {
    expect(broken.activityImportsWorkflows).toContain('import-x/no-restricted-paths');
  });

  it('refuses an activity feature folder that imports another feature, but lets it import activities/shared/', () => {
    expect(broken.activityImportsAnotherFeature).toContain('import-x/no-restricted-paths');
    expect(broken.activityImportsShared).toEqual([]);
    expect(broken.sharedImportsFeature).toContain('import-x/no-restricted-paths');
  });

  it('refuses a transaction that does not go through inTransaction (and so could miss its options)', () => {
    expect(broken.bareTransaction).toContain('no-restricted-syntax');
  });

  it('lets workflows import activity types, but not activity code', () => {
    expect(broken.workflowImportsActivityTypes).toEqual([]);
    expect(broken.workflowImportsActivityCode).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('refuses workflow code that reaches past src/contracts into the service', () => {
    expect(broken.workflowReachesIntoService).toContain('import-x/no-restricted-paths');
  });

  it('refuses activities in the HTTP edge', () => {
    expect(broken.httpImportsActivities).toContain('import-x/no-restricted-paths');
  });

  it('keeps the local stack out of what ships: src/ and activities/ may not import devstack/, tests may', () => {
    expect(broken.opsImportsDevstack).toContain('import-x/no-restricted-paths');
    expect(broken.activityImportsDevstack).toContain('import-x/no-restricted-paths');
    expect(broken.testImportsDevstack).toEqual([]);
  });

  it('keeps the access reader (src/access) out of activities/, and activities/access/ out of the other features', () => {
    expect(broken.accessReaderImportsActivities).toContain('import-x/no-restricted-paths');
    expect(broken.accessFeatureImportsAnotherFeature).toContain('import-x/no-restricted-paths');
  });

  it('refuses a floating promise', () => {
    expect(broken.floatingPromise).toContain('@typescript-eslint/no-floating-promises');
  });
});
