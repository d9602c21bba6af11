import type Stripe from 'stripe';
import { createPostmarkClient } from '../../src/clients/postmark';
import { createStripeClient } from '../../src/clients/stripe';
import { DEFAULT_TEMPLATE_ALIASES } from '../../src/emails';
import { runCli } from '../../src/ops/cli';
import type { OpsContext } from '../../src/ops/context';
import { createAccessDeliveryStarter } from '../../src/temporal/access-delivery';
import { createFulfillmentStarter } from '../../src/temporal/start-fulfillment';
import type { Harness } from './harness';
import { testEnv } from './test-env';

/** The ops CLI's context over a test harness's real services (closing it leaves them open). */
export function opsContextFor(h: Harness, overrides: { stripe?: Stripe; operator?: string; connectAccounts?: string[] } = {}): OpsContext {
  return {
    postmark: createPostmarkClient('local-postmark-token', h.postmark.url),
    templateAliases: DEFAULT_TEMPLATE_ALIASES,
    temporal: h.client,
    db: h.db,
    stripe: overrides.stripe ?? createStripeClient('sk_test_ops', testEnv.stripeApiBase),
    fulfillments: createFulfillmentStarter(h.client, h.taskQueue),
    accessDelivery: createAccessDeliveryStarter(h.client, h.taskQueue),
    namespace: 'default',
    taskQueue: h.taskQueue,
    operator: overrides.operator ?? 'oncall@test',
    connectAccounts: overrides.connectAccounts ?? [],
    close: async () => {},
  };
}

/** `npm run ops -- <argv> --json` against the harness's services: the parsed output; throws on a non-zero exit. */
export async function opsJson(
  h: Harness,
  argv: string[],
  overrides: Parameters<typeof opsContextFor>[1] = {},
): Promise<ReturnType<typeof JSON.parse>> {
  const { code, output } = await runCli([...argv, '--json'], opsContextFor(h, overrides));
  if (code !== 0) throw new Error(`ops ${argv.join(' ')} exited ${code}: ${output}`);
  return JSON.parse(output);
}

/**
 * An ops context in which every service fails the test when used, but those given: for commands
 * that must reach nothing (`offlineOpsContext()`) or only Postmark (`{ postmark, templateAliases }`).
 */
export function offlineOpsContext(reachable: Partial<Pick<OpsContext, 'postmark' | 'templateAliases'>> = {}): OpsContext {
  const unreachable = (name: string): never => {
    throw new Error(`this command should not need ${name}`);
  };
  return {
    get temporal() {
      return unreachable('Temporal');
    },
    get db() {
      return unreachable('the database');
    },
    get stripe() {
      return unreachable('Stripe');
    },
    get fulfillments() {
      return unreachable('Temporal');
    },
    get accessDelivery() {
      return unreachable('Temporal');
    },
    get postmark() {
      return reachable.postmark ?? unreachable('Postmark');
    },
    templateAliases: reachable.templateAliases ?? DEFAULT_TEMPLATE_ALIASES,
    namespace: 'default',
    taskQueue: 'stripe-fulfillment',
    operator: 'oncall@test',
    connectAccounts: [],
    close: async () => {},
  };
}
