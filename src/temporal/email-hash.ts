import { createHash } from 'node:crypto';

/**
 * The value of the `CustomerEmailHash` search attribute: SHA-256 of the trimmed,
 * lower-cased email under a fixed prefix. Temporal's visibility store holds this, never the
 * address; `npm run ops -- list --email x` hashes x the same way. It is pseudonymous, not
 * anonymous: whoever can read visibility and guesses an address can confirm it.
 */
export function emailHash(email: string): string {
  return createHash('sha256').update(`stripe-fulfillment/customer-email/v1:${email.trim().toLowerCase()}`).digest('hex');
}
