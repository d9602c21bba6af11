/**
 * Stripe gives amounts in the currency's smallest unit, and says itself how small that is
 * (docs.stripe.com/currencies): hundredths unless the currency is on its zero-decimal list
 * (4900 JPY is ¥4,900) or its three-decimal list (12340 KWD is KWD 12.340). ISO 4217 and
 * `Intl` disagree for many currencies (IDR, COP, PKR… are shown in whole units, yet Stripe counts
 * them in hundredths), so the scale comes from Stripe's lists only.
 *
 * Stripe's special cases: ISK and UGX became zero-decimal but are still sent with two decimals,
 * always `00` (500 is 5 krónur), so UGX is left off the zero-decimal list Stripe also puts it on;
 * HUF and TWD are charged in hundredths (only their payouts are whole units).
 */
const ZERO_DECIMAL: ReadonlySet<string> = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** How many decimal places Stripe's minor unit of this currency is (0, 2 or 3). */
function stripeExponent(code: string): number {
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

export interface StripeAmountText {
  /** The amount in the currency's major unit, as shown, without grouping: `49.00`, `4900`, `12.340`, `50000` (IDR). */
  amount: string;
  /** How a reader expects it: `$49.00`, `¥4,900`, `KWD 12.340`, `IDR 50,000` (en-US conventions). */
  formatted: string;
  /** The ISO code, upper-case. */
  currency: string;
}

/**
 * `Intl` decides only how the figure is written: the symbol or code, the grouping, and how many
 * decimals a reader expects (IDR and HUF in whole units, USD in cents). A fraction Stripe did
 * charge is never hidden: IDR 5000050 reads IDR 50,000.50.
 */
export function formatStripeAmount(minor: number, currency: string): StripeAmountText {
  const code = currency.trim().toUpperCase();
  const exponent = stripeExponent(code);
  const format = currencyFormat(code);
  const usual = format?.resolvedOptions().maximumFractionDigits ?? 2;
  const { whole, fraction } = splitMinor(minor, exponent);
  const needed = fraction.replace(/0+$/, '').length;
  const shown = needed > usual ? exponent : Math.min(exponent, usual);
  const amount = `${whole}${shown > 0 ? `.${fraction.slice(0, shown).padEnd(shown, '0')}` : ''}`;
  const formatted = format
    ? new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: code,
        minimumFractionDigits: shown,
        maximumFractionDigits: shown,
      }).format(Number(amount))
    : `${code} ${amount}`;
  return { amount, formatted, currency: code };
}

/** The whole and fractional digits of a minor-unit integer, without floating point: (5000050, 2) → 50000 and "50". */
function splitMinor(minor: number, exponent: number): { whole: string; fraction: string } {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  return {
    whole: sign + digits.slice(0, digits.length - exponent),
    fraction: exponent > 0 ? digits.slice(digits.length - exponent) : '',
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
