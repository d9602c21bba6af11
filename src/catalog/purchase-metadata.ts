import type { Catalog } from './catalog';

/**
 * Parsing of what a checkout's or subscription's metadata says about quantity and add-ons.
 * Pure: the activities that read it (checkout/resolve-purchase, subscriptions/record-subscription-event)
 * decide what a bad value means (a non-retryable failure, or a warning).
 */

/** A metadata value that cannot be used; the message names the field and the value. */
export class InvalidMetadata extends Error {
  override name = 'InvalidMetadata';
}

export const MAX_QUANTITY = 10_000;

/** `metadata.sumo_quantity`: how many codes were bought (absent or blank: 1). Seats = tier seats × this. */
export function parseQuantity(raw: string | null): number {
  if (raw === null || raw.trim() === '') return 1;
  const quantity = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new InvalidMetadata(`metadata.sumo_quantity must be a whole number from 1 to ${MAX_QUANTITY}, got ${JSON.stringify(raw)}`);
  }
  return quantity;
}

/** `metadata.sumo_addons`: a JSON array of catalogued add-on ids (absent or blank: none), each once. */
export function parseAddons(catalog: Catalog, raw: string | null): string[] {
  if (raw === null || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) {
    throw new InvalidMetadata(`metadata.sumo_addons must be a JSON array of add-on ids, got ${JSON.stringify(raw)}`);
  }
  const unknown = parsed.filter((a) => catalog.addonFeatures(a) === undefined);
  if (unknown.length > 0) {
    throw new InvalidMetadata(
      `metadata.sumo_addons has unknown add-on(s) ${unknown.map((a) => `"${a}"`).join(', ')}; known: ${catalog.addonIds().join(', ')}`,
    );
  }
  return [...new Set(parsed)];
}
