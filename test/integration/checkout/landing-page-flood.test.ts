import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../../../src/app';
import { createFulfillmentStarter } from '../../../src/temporal/start-fulfillment';
import { createRunStatusReader } from '../../../src/temporal/run-status';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { useHarness } from '../../support/harness';
import { useLocalStripeEvents } from '../../support/local-stripe-events';

/**
 * The public endpoint cannot be queued into an outage: what the ledger already knows is answered
 * without waiting behind Stripe look-ups, and look-ups of sessions the service does not know are
 * bounded — over the bound the answer is a fast 503 with Retry-After, never a hang.
 */
const stripe = useLocalStripeEvents();
const h = useHarness(() => ({ stripeApiBase: stripe.url, checkoutStatus: { ratePerMinute: 1000 } }));
afterEach(() => stripe.answerAfter(0));

const ask = (sessionId: string, address: string) =>
  h.app.inject({ method: 'GET', url: `/checkout/sessions/${sessionId}`, remoteAddress: address });
const randomSessionId = () => `cs_test_${randomBytes(12).toString('hex')}`;
const timed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
};

describe('GET /checkout/sessions/:id under a flood of unknown ids while Stripe is slow', () => {
  it('answers fulfilled buyers from the ledger at once, and the flood with 404 or a fast 503, never a hang', async () => {
    const bought = Array.from({ length: 3 }, () => checkoutEvent({ metadata: sumoMetadata() }));
    for (const event of bought) await h.deliver(event);
    await h.settled(bought.map((e) => e.id));
    const sessions = bought.map((e) => (e.data.object as { id: string }).id);

    stripe.answerAfter(2_000);
    const flood = Array.from({ length: 40 }, (_, i) => timed(() => ask(randomSessionId(), `10.0.0.${i % 5}`)));
    await new Promise((r) => setTimeout(r, 100)); // the flood is queued first
    const buyers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => timed(() => ask(sessions[i % sessions.length], `192.168.1.${i}`))),
    );
    for (const { ms, value } of buyers) {
      expect(value.json()).toMatchObject({ status: 'fulfilled' });
      expect(ms).toBeLessThan(1_000);
    }
    const flooded = await Promise.all(flood);
    for (const { ms, value } of flooded) {
      expect([404, 503]).toContain(value.statusCode);
      if (value.statusCode === 503) expect(Number(value.headers['retry-after'])).toBeGreaterThan(0);
      expect(ms).toBeLessThan(6_000);
    }
    expect(flooded.some((f) => f.value.statusCode === 503)).toBe(true);
  }, 60_000);

  it('asks Stripe about an unknown id once, then answers 404 from memory for a while', async () => {
    const unknown = randomSessionId();
    const before = stripe.requests.length;
    expect((await ask(unknown, '10.1.0.1')).statusCode).toBe(404);
    expect((await ask(unknown, '10.1.0.2')).statusCode).toBe(404);
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await ask(unknown, '10.1.0.3')).statusCode).toBe(404);
    expect(stripe.requests.slice(before).filter((r) => r.includes(unknown))).toHaveLength(1);
  });
});

describe('TRUST_PROXY_HOPS left at 0 behind a load balancer', () => {
  it('is warned about once, at the first request that carries X-Forwarded-For', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const app = await buildApp({
      logger,
      db: h.db,
      fulfillments: createFulfillmentStarter(h.client, h.taskQueue),
      webhookSecrets: ['whsec_test_proxy'],
      checkoutStatus: { runStatus: createRunStatusReader(h.client), corsOrigins: [], ratePerMinute: 60 },
    });
    try {
      for (const address of ['10.9.0.1', '10.9.0.2'])
        await app.inject({ method: 'GET', url: `/checkout/sessions/${randomSessionId()}`, headers: { 'x-forwarded-for': address } });
      expect(lines.filter((l) => /X-Forwarded-For but TRUST_PROXY_HOPS is 0/.test(l.msg))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
