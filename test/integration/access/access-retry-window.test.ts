import { accessDeliveryWorkflowId, FailureType, statusQuery } from '../../../src/contracts';
import { PRODUCT_SECRET, startProduct, type Product } from '../../support/access-product';
import { eventually } from '../../support/eventually';
import { startHarness, type Harness } from '../../support/harness';
import { sumoLifetime } from '../../support/lifetime-events';
import { opsJson } from '../../support/ops-context';

let h: Harness;
let product: Product;
beforeAll(async () => {
  product = await startProduct();
  // A RETRY_WINDOW of 2 s: an outage outlasts it within seconds (production: 6 h).
  h = await startHarness({ appWebhook: { url: product.url, secrets: [PRODUCT_SECRET] }, maxActivityAttempts: 2, retryWindowMs: 2_000 });
});
afterAll(async () => {
  await h.close();
  await product.close();
});

describe('an outage of the product longer than RETRY_WINDOW', () => {
  it('Retrying, then NeedsAttention (RetriesExhausted) as a fulfillment would; back up, `ops retry` delivers the waiting event', async () => {
    await product.down();
    const deal = sumoLifetime({ quantity: 3 });
    expect((await h.deliver(deal.checkout)).statusCode).toBe(200);
    await h.settled([deal.checkout.id]);
    const userId = (await h.db.user.findUniqueOrThrow({ where: { email: deal.email } })).id;
    const workflowId = accessDeliveryWorkflowId(userId);

    const state = await eventually(
      () =>
        h.client.workflow
          .getHandle(workflowId)
          .query(statusQuery)
          .catch(() => null),
      (s) => !!s?.attention,
    );
    expect(state?.attention).toMatchObject({ step: 'deliverAccessEvent', errorType: FailureType.RetriesExhausted });
    // It rode out a round as Retrying first: the message says how long it was retried.
    expect(state?.attention?.error).toMatch(/^still failing after \d+ s of retries \(RETRY_WINDOW 2 s\): .*ECONNREFUSED/);
    expect((await h.client.workflow.getHandle(workflowId).describe()).searchAttributes.FulfillmentStatus).toEqual(['NeedsAttention']);

    await product.up();
    await expect(opsJson(h, ['retry', workflowId, '--reason', 'the product is back'])).resolves.toMatchObject({ outcome: 'applied' });
    const [granted] = await product.until(userId, (e) => e.length === 1);
    expect(granted).toMatchObject({ reason: 'granted', access: { seats: 9 } });
    await h.client.workflow.getHandle(workflowId).result();
  });
});
