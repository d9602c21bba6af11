import type { PayloadCodec } from '@temporalio/common';

type Json = unknown;

/**
 * A recorded history (Temporal's JSON) with every payload run through `codec`, as a worker and
 * client with that codec would have written it: all but search attributes and headers, which
 * the SDK never encodes, and the bookkeeping core itself writes into its markers (a local
 * activity's `data`: sequence, attempt, times; a patch's `patch-data`: its id), which no codec
 * sees. A local activity's `result` is the activity's own payload and is encoded.
 */
export async function encodeHistoryJson(history: Json, codec: PayloadCodec): Promise<Json> {
  if (Array.isArray(history)) return Promise.all(history.map((item) => encodeHistoryJson(item, codec)));
  if (!history || typeof history !== 'object') return history;
  const record = history as Record<string, Json>;
  const metadata = record.metadata as Record<string, string> | undefined;
  if (typeof metadata?.encoding === 'string') {
    const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
    const payload = {
      metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, bytes(v)])),
      data: bytes(typeof record.data === 'string' ? record.data : ''),
    };
    const [encoded] = await codec.encode([payload]);
    const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('base64');
    return {
      metadata: Object.fromEntries(Object.entries(encoded.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
      data: b64(encoded.data),
    };
  }
  const coreMarker = typeof record.markerName === 'string' && record.markerName.startsWith('core_');
  const entries = await Promise.all(
    Object.entries(record).map(async ([key, value]) => {
      if (key === 'searchAttributes' || key === 'header') return [key, value];
      if (coreMarker && key === 'details') {
        const { result, ...bookkeeping } = value as Record<string, Json>;
        return [key, { ...bookkeeping, ...(result !== undefined && { result: await encodeHistoryJson(result, codec) }) }];
      }
      return [key, await encodeHistoryJson(value, codec)];
    }),
  );
  return Object.fromEntries(entries);
}
