import { runCli } from '../../../src/ops/cli';
import { buildQuery } from '../../../src/ops/commands/list';
import type { OpsContext } from '../../../src/ops/context';
import { emailHash } from '../../../src/temporal/email-hash';

/** A context for commands that must not reach any service: every use fails the test. */
const offline = (): OpsContext => {
  const unreachable = (): never => {
    throw new Error('this command should not need a service');
  };
  return {
    get temporal() {
      return unreachable();
    },
    get db() {
      return unreachable();
    },
    get stripe() {
      return unreachable();
    },
    get fulfillments() {
      return unreachable();
    },
    get postmark() {
      return unreachable();
    },
    templateAliases: {
      welcome: 'welcome',
      confirmation: 'purchase-confirmation',
      notActive: 'purchase-not-active',
      paymentFailed: 'payment-failed',
    },
    namespace: 'default',
    taskQueue: 'stripe-fulfillment',
    operator: 'oncall@test',
    connectAccounts: [],
    close: async () => {},
  };
};

describe('npm run ops', () => {
  it('lists every command with its usage when called without one', async () => {
    const { code, output } = await runCli([], offline());
    expect(code).toBe(0);
    for (const name of ['list', 'show', 'retry', 'skip', 'cancel', 'replay', 'reconcile', 'emails'])
      expect(output).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('exits 2 and shows the usage for an unknown command', async () => {
    const { code, output } = await runCli(['frobnicate'], offline());
    expect(code).toBe(2);
    expect(output).toMatch(/^unknown command "frobnicate"/);
    expect(output).toMatch(/commands:/);
  });

  it('exits 2 naming an unknown option, with the command’s usage', async () => {
    const { code, output } = await runCli(['list', '--colour', 'red'], offline());
    expect(code).toBe(2);
    expect(output).toMatch(/--colour/);
    expect(output).toMatch(/usage: npm run ops -- list/);
  });

  it('reports a bad filter value as an error without asking Temporal', async () => {
    const { code, output } = await runCli(['list', '--status', 'Stuck', '--json'], offline());
    expect(code).toBe(1);
    expect(JSON.parse(output).error).toBe('--status must be one of Running, Retrying, Completed, NeedsAttention, Failed, got "Stuck"');
  });

  it('requires a reason before it signals anything', async () => {
    const { code, output } = await runCli(['cancel', 'evt_1'], offline());
    expect(code).toBe(1);
    expect(output).toBe('error: --reason is required for cancel (it goes into the audit record)');
  });
});

describe('ops list filters', () => {
  it('become one visibility query over the search attributes, values quoted', () => {
    expect(buildQuery({ status: 'needsattention', source: 'sumo', subscription: "sub_'x", campaign: 'camp_1' })).toBe(
      "(ExecutionStatus = 'Running' AND FulfillmentStatus = 'NeedsAttention') AND FulfillmentSource = 'sumo' AND StripeSubscriptionId = 'sub_\\'x' AND SumoCampaignId = 'camp_1'",
    );
  });

  // A closing run does not upsert FulfillmentStatus (it would cost a billable action per run): its
  // ExecutionStatus says Completed or Failed; a completed run waiting for a grace review says Completed.
  it('find closed runs by their ExecutionStatus', () => {
    expect(buildQuery({ status: 'completed' })).toBe(
      "(ExecutionStatus = 'Completed' OR (ExecutionStatus = 'Running' AND FulfillmentStatus = 'Completed'))",
    );
    expect(buildQuery({ status: 'failed' })).toBe("ExecutionStatus IN ('Failed', 'Terminated', 'Canceled', 'TimedOut')");
  });

  it('search by the hash of the normalised email, never the address', () => {
    const query = buildQuery({ email: '  Jane.Doe@Example.COM ' });
    expect(query).toBe(`CustomerEmailHash = '${emailHash('jane.doe@example.com')}'`);
    expect(query).not.toMatch(/jane/i);
  });
});
