/**
 * Benchmark: what payload encryption adds to each payload the service hands Temporal.
 *
 *   npx tsx bench/payload-codec.ts          # BENCH_PAYLOADS=20000 by default
 *
 * Baseline and measured path run in the same process, same inputs: a fulfillCheckout input
 * (the largest payload, ~700 bytes of JSON) converted to a payload and back (what the SDK does
 * anyway), then the same with the AES-256-GCM codec's encode and decode in between. Reports
 * the time per payload and the ratio to the baseline; both are CPU only (no I/O).
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { checkoutEvent, sumoMetadata } from '../devstack/sample-events';
import { decideCheckoutEvent } from '../src/stripe/checkout-event';
import { EncryptionCodec } from '../src/temporal/payload-codec';
import { parsePayloadKeys } from '../src/temporal/payload-keys';

const PAYLOADS = Number(process.env.BENCH_PAYLOADS ?? 20_000);

async function main(): Promise<void> {
  const codec = new EncryptionCodec(parsePayloadKeys(`bench:${randomBytes(32).toString('base64')}`));
  const decision = decideCheckoutEvent(checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3' }) }));
  if (decision.action !== 'fulfil') throw new Error('the sample checkout is not fulfilled');
  const input = decision.input;
  const bytes = defaultPayloadConverter.toPayload(input).data!.length;

  const plain = async () => defaultPayloadConverter.fromPayload(defaultPayloadConverter.toPayload(input));
  const encrypted = async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const [decoded] = await codec.decode([encoded]);
    return defaultPayloadConverter.fromPayload(decoded);
  };
  const time = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 1000; i++) await fn(); // warm up
    const start = process.hrtime.bigint();
    for (let i = 0; i < PAYLOADS; i++) await fn();
    return Number(process.hrtime.bigint() - start) / 1000 / PAYLOADS; // µs per payload
  };
  // Alternate the two, three rounds each, and keep each one's best: the machine is shared.
  const rounds = { plain: [] as number[], encrypted: [] as number[] };
  for (let round = 0; round < 3; round++) {
    rounds.plain.push(await time(plain));
    rounds.encrypted.push(await time(encrypted));
  }
  const base = Math.min(...rounds.plain);
  const enc = Math.min(...rounds.encrypted);
  console.log(`payload: fulfillCheckout input, ${bytes} bytes of JSON; ${PAYLOADS} payloads a round, best of 3`);
  console.log(`  JSON payload round trip (baseline)        ${base.toFixed(1)} µs/payload`);
  console.log(
    `  + AES-256-GCM encode and decode           ${enc.toFixed(1)} µs/payload  (${(enc / base).toFixed(2)}× the baseline, +${(enc - base).toFixed(1)} µs)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
