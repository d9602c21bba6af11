/**
 * Re-records the replay fixtures in test/fixtures/histories from real runs:
 *   npx tsx scripts/record-histories.ts            # every scenario
 *   npx tsx scripts/record-histories.ts NAME…      # runs them all, writes only these (add a fixture, keep the others)
 * Starts its own Temporal dev server, stripe-mock, local Postmark and a scratch database
 * (TEST_DATABASE_URL, else `fulfillment_histories_test` on DATABASE_URL's server or the local PostgreSQL),
 * runs one fulfillment per scenario and saves each history as the Temporal CLI prints it.
 *
 * Re-record only while no deployed workflow can be running the old code (there is no deployment
 * yet); after the first one, see docs/versioning.md: add fixtures, never replace them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type Stripe from 'stripe';
import type { CatalogData } from '../src/catalog/catalog';
import { applyMigrations } from '../src/db/migrate';
import { startInProcessService } from '../test/support/stack/in-process-service';
import { startLocalPostmark } from '../devstack/local-postmark';
import { recreateDatabase } from '../test/support/recreate-database';
import { checkoutEvent, invoiceEvent, LIFETIME_CODE_PRICE, signPayload, subscriptionEvent, sumoMetadata } from '../devstack/sample-events';
import { chargeRefundedEvent, disputeEvent } from '../devstack/sample-purchase-events';
import { startStripeMock } from '../devstack/stripe-mock';
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { bundleWorkflowsFromSource } from '../test/support/workflow-bundle';
import { accessDeliveryWorkflowId, cancelUpdate, retryUpdate, statusQuery } from '../src/contracts';
import { PRODUCT_SECRET, startProduct } from '../test/support/access-product';

const OUT = join(__dirname, '../test/fixtures/histories');
const SECRET = 'whsec_record_histories';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(OUT, { recursive: true });
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  server.pathname = '/fulfillment_histories_test';
  const databaseUrl = process.env.TEST_DATABASE_URL ?? server.toString();
  await recreateDatabase(databaseUrl, '_test');
  await applyMigrations(databaseUrl);
  const [temporal, stripeMock, postmark] = await Promise.all([
    startTemporalDevServer({ uiPort: null }),
    startStripeMock(),
    startLocalPostmark(),
  ]);
  // Access events on, to the example receiver: the delivery runs are recorded too.
  const product = await startProduct();
  const catalog = JSON.parse(readFileSync(join(__dirname, '../config/catalog.json'), 'utf8')) as CatalogData;
  const service = await startInProcessService({
    databaseUrl,
    temporalAddress: temporal.address,
    taskQueue: 'record-histories',
    webhookSecret: SECRET,
    catalog,
    stripeApiBase: stripeMock.url,
    postmarkUrl: postmark.url,
    maxActivityAttempts: 2,
    // The recorded outage scenario is one that outlasts its window and is retried by an operator.
    retryWindowMs: 0,
    workflowBundle: await bundleWorkflowsFromSource(),
    appWebhook: { url: product.url, secrets: [PRODUCT_SECRET] },
  });
  const deliver = async (event: Stripe.Event) => {
    const body = JSON.stringify(event);
    const res = await service.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'stripe-signature': signPayload(body, SECRET) },
      payload: body,
    });
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
  };
  const handle = (id: string) => service.client.workflow.getHandle(id);
  const waitForAttention = async (id: string) => {
    for (let i = 0; i < 300; i++) {
      if ((await handle(id).query(statusQuery)).attention) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${id} never needed attention`);
  };
  const only = process.argv.slice(2);
  const save = async (id: string, name: string) => {
    await handle(id)
      .result()
      .catch(() => undefined);
    if (only.length > 0 && !only.includes(name)) return;
    writeFileSync(join(OUT, `${name}.json`), historyToJSON(await handle(id).fetchHistory()));
    console.log(`recorded ${name}`);
  };

  try {
    const sumo = checkoutEvent({ metadata: sumoMetadata() });
    await deliver(sumo);
    await save(sumo.id, 'sumo-new-user');

    const direct = checkoutEvent({ metadata: { tier_id: 'pro' } });
    await deliver(direct);
    await save(direct.id, 'direct-new-user');

    const user = await service.db.user.create({ data: { email: `existing.${Date.now()}@example.com`, source: 'direct' } });
    const existing = checkoutEvent({ clientReferenceId: user.id, metadata: { tier_id: 'starter' } });
    await deliver(existing);
    await save(existing.id, 'direct-existing-user');

    const invalid = checkoutEvent({ metadata: sumoMetadata({ quantity: 'abc' }) });
    await deliver(invalid);
    await waitForAttention(invalid.id);
    await handle(invalid.id).executeUpdate(cancelUpdate, { args: [{ by: 'recorder', reason: 'bad quantity' }] });
    await save(invalid.id, 'sumo-invalid-quantity-cancelled');

    postmark.failAlways({ kind: 'server-error' });
    const outage = checkoutEvent({ metadata: sumoMetadata() });
    await deliver(outage);
    await waitForAttention(outage.id);
    postmark.reset();
    await handle(outage.id).executeUpdate(retryUpdate, { args: [{ by: 'recorder', reason: 'postmark is back' }] });
    await save(outage.id, 'sumo-postmark-outage-retried');

    const subscriptionId = (sumo.data.object as { subscription: string }).subscription;
    const updated = subscriptionEvent({ type: 'customer.subscription.updated', subscriptionId, status: 'active', quantity: 5 });
    await deliver(updated);
    await save(updated.id, 'subscription-updated');

    const failed = invoiceEvent({ type: 'invoice.payment_failed', subscriptionId, created: Math.floor(Date.now() / 1000) - 8 * 86_400 });
    await deliver(failed);
    await save(failed.id, 'invoice-payment-failed-grace-over');

    const lifetime = checkoutEvent({ mode: 'payment', metadata: sumoMetadata({ quantity: '3' }) });
    await deliver(lifetime);
    await save(lifetime.id, 'sumo-lifetime-new-user');

    const paymentIntentId = (lifetime.data.object as { payment_intent: string }).payment_intent;
    const amount = 3 * LIFETIME_CODE_PRICE;
    const refund = chargeRefundedEvent({ paymentIntentId, amount, amountRefunded: LIFETIME_CODE_PRICE });
    await deliver(refund);
    await save(refund.id, 'lifetime-refund-one-code');

    const lost = disputeEvent({ type: 'charge.dispute.closed', paymentIntentId, amount, status: 'lost' });
    await deliver(lost);
    await save(lost.id, 'lifetime-dispute-lost');

    // The lifetime deal's access events (granted, changed, revoked): the last delivery run of its user.
    const buyer = (lifetime.data.object as { customer_details: { email: string } }).customer_details.email;
    const userId = (await service.db.user.findUniqueOrThrow({ where: { email: buyer } })).id;
    for (let i = 0; i < 300 && product.eventsOf(userId).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await save(accessDeliveryWorkflowId(userId), 'access-events-delivered');
  } finally {
    await service.close();
    await Promise.allSettled([temporal.stop(), stripeMock.stop(), postmark.close(), product.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
