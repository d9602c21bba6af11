import fc from 'fast-check';
import { buildApp } from '../../../src/app';
import { signPayload } from '../../../devstack/sample-events';
import { createFulfillmentStarter, type FulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { useHarness } from '../../support/harness';
import { perFile } from '../../support/per-file';

/**
 * Whatever arrives on the webhook — random bodies, headers, signatures, encodings, deep or
 * huge JSON, `__proto__` keys — the answer is never a 5xx (Temporal and the database are up
 * here), and nothing is started without a valid signature. HOSTILE_INPUT_RUNS sets the cases
 * per property (CI: 1,000).
 */
const RUNS = Number(process.env.HOSTILE_INPUT_RUNS ?? 1_000);
const SECRET = 'whsec_test_hostile';
const started: string[] = [];
const h = useHarness();
const app = perFile(
  'the counting app',
  () => {
    const real = createFulfillmentStarter(h.client, h.taskQueue);
    const counting: FulfillmentStarter = { ...real, start: (start) => (started.push(start.input.eventId), real.start(start)) };
    return buildApp({ db: h.db, fulfillments: counting, webhookSecrets: [SECRET] });
  },
  (a) => a.close(),
);

const post = (payload: string | Buffer, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload });

const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ id: 'evt_x', type: 'checkout.session.completed', data: { object: v } })),
  fc.string().map((s) => `{"__proto__":{"polluted":true},"id":${JSON.stringify(s)},"type":"x","data":{"object":{}}}`),
  fc.nat({ max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  // A paid checkout whose metadata, customer details and ids are any JSON at all (not only strings).
  fc
    .record({
      metadata: fc.dictionary(fc.constantFrom('sumo_campaign_id', 'sumo_quantity', 'sumo_addons', 'tier_id', '__proto__'), fc.jsonValue()),
      customer_details: fc.jsonValue(),
      client_reference_id: fc.jsonValue(),
      subscription: fc.jsonValue(),
    })
    .map((fields) =>
      JSON.stringify({
        id: 'evt_meta',
        type: 'checkout.session.completed',
        created: 1,
        livemode: false,
        data: { object: { object: 'checkout.session', id: 'cs_x', payment_status: 'paid', ...fields } },
      }),
    ),
);

describe('hostile input on the webhook', () => {
  it('an unsigned or wrongly signed request is a 4xx and starts nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonish,
        fc.option(
          fc.oneof(
            fc.string(),
            fc.constant('t=1,v1=00'),
            fc.string().map((s) => `t=${Date.now()},v1=${s}`),
          ),
          { nil: undefined },
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
          'application/json; charset=latin1',
        ),
        async (body, signature, contentType) => {
          const before = started.length;
          const response = await post(body, {
            'content-type': contentType,
            ...(signature === undefined ? {} : { 'stripe-signature': signature }),
          });
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          expect(started.length).toBe(before);
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('a validly signed request of any shape never gets a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, async (body) => {
        const response = await post(body, { 'content-type': 'application/json', 'stripe-signature': signPayload(body, SECRET) });
        expect([200, 400, 413]).toContain(response.statusCode);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
