/**
 * Stripe gives amounts in the currency's smallest unit: cents for USD (4900 = $49.00), whole yen
 * for JPY (4900 = ¥4,900), thousandths for KWD (12340 = KWD 12.340). The number of minor units is
 * the currency's own, as `Intl.NumberFormat` knows it (ISO 4217), except where Stripe's API uses
 * two decimals for a currency shown in whole units (its "special cases": ISK, HUF, TWD, UGX —
 * 500 ISK is 5 krónur).
 */
const STRIPE_TWO_DECIMAL: ReadonlySet<string> = new Set(['ISK', 'HUF', 'TWD', 'UGX']);

export interface StripeAmountText {
  /** The amount in the currency's major unit, with its own decimals and no grouping: `49.00`, `4900`, `12.340`. */
  amount: string;
  /** How a reader expects it: `$49.00`, `¥4,900`, `KWD 12.340` (en-US conventions). */
  formatted: string;
  /** The ISO code, upper-case. */
  currency: string;
}

export function formatStripeAmount(minor: number, currency: string): StripeAmountText {
  const code = currency.trim().toUpperCase();
  const format = currencyFormat(code);
  const shown = format?.resolvedOptions().maximumFractionDigits ?? 2;
  const exponent = STRIPE_TWO_DECIMAL.has(code) ? 2 : shown;
  const value = minor / 10 ** exponent;
  return {
    amount: value.toFixed(shown),
    formatted: format ? format.format(value) : `${code} ${value.toFixed(shown)}`,
    currency: code,
  };
}

/** Null for a code Intl refuses (not three letters). */
function currencyFormat(code: string): Intl.NumberFormat | null {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
  } catch {
    return null;
  }
}
