import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/** Temporal's codec-server wire format: protobuf JSON of `Payloads`, bytes as base64. */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloadsJson = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000, 'at most 10000 payloads a request'),
});
export type PayloadsJson = z.input<typeof payloadsJson>;

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('base64');

/** The payloads of a request body; throws a message naming the bad field. */
export function payloadsFromJson(body: unknown): Payload[] {
  const parsed = payloadsJson.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.payloads.map(({ metadata = {}, data = '' }) => ({
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, bytes(v)])),
    data: bytes(data),
  }));
}

export function payloadsToJson(payloads: Payload[]): PayloadsJson {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
      data: b64(p.data),
    })),
  };
}
