import { formatStripeAmount } from '../../../src/stripe/money';

/**
 * Every presentment currency Stripe lists (docs.stripe.com/currencies), and how many of its
 * minor units make one major unit in Stripe's API: two unless Stripe says otherwise.
 */
const STRIPE_CURRENCIES = (
  'USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN BZD CAD CDF CHF CLP ' +
  'CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR ' +
  'ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK MXN MYR ' +
  'MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD ' +
  'STD SZL THB TJS TND TOP TRY TTD TWD TZS UAH UGX UYU UZS VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW'
).split(' ');
/** Stripe's zero-decimal list, less UGX: its "special cases" say UGX, like ISK, is sent with two decimals (500 = 5 UGX). */
const ZERO_DECIMAL = new Set('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF'.split(' '));
const THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));
const stripeExponent = (code: string) => (ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2);

/** The figure in a formatted amount, without its symbol or code: `$12,345.00` → `12,345.00`. */
const figure = (formatted: string) => formatted.replace(/[^\d.,]/g, '').replace(/^[.,]+|[.,]+$/g, '');

describe('an amount Stripe gives in the currency’s smallest unit, as an email shows it', () => {
  it.each([
    ['usd', 4900, '49.00', '$49.00'],
    ['eur', 123456, '1234.56', '€1,234.56'],
    ['jpy', 4900, '4900', '¥4,900'],
    ['krw', 59000, '59000', '₩59,000'],
    ['kwd', 12340, '12.340', 'KWD\u00a012.340'],
    ['bhd', 5, '0.005', 'BHD\u00a00.005'],
    ['xof', 5000, '5000', 'F\u202fCFA\u00a05,000'],
  ])('%s %d reads %s (%s)', (currency, minor, amount, formatted) => {
    expect(formatStripeAmount(minor, currency)).toEqual({ amount, formatted, currency: currency.toUpperCase() });
  });

  it.each([
    ['idr', 5_000_000, '50000', 'IDR\u00a050,000'],
    ['cop', 9_990_000, '99900', 'COP\u00a099,900'],
    ['pkr', 150_000, '1500', 'PKR\u00a01,500'],
    ['lak', 10_000_000, '100000', 'LAK\u00a0100,000'],
    ['mmk', 250_000, '2500', 'MMK\u00a02,500'],
  ])('%s, shown without decimals but counted in hundredths by Stripe: %d reads %s (%s)', (currency, minor, amount, formatted) => {
    expect(formatStripeAmount(minor, currency)).toEqual({ amount, formatted, currency: currency.toUpperCase() });
  });

  it('never hides a fraction Stripe charged, in a currency usually shown in whole units', () => {
    expect(formatStripeAmount(5_000_050, 'idr')).toEqual({ amount: '50000.50', formatted: 'IDR\u00a050,000.50', currency: 'IDR' });
    expect(formatStripeAmount(1045, 'huf')).toEqual({ amount: '10.45', formatted: 'HUF\u00a010.45', currency: 'HUF' });
  });

  it('reads Stripe’s special cases: ISK and UGX sent with two decimals, always 00; HUF and TWD charged in hundredths', () => {
    expect(formatStripeAmount(500, 'isk')).toEqual({ amount: '5', formatted: 'ISK\u00a05', currency: 'ISK' });
    expect(formatStripeAmount(500, 'ugx')).toEqual({ amount: '5', formatted: 'UGX\u00a05', currency: 'UGX' });
    expect(formatStripeAmount(490_000, 'huf')).toEqual({ amount: '4900', formatted: 'HUF\u00a04,900', currency: 'HUF' });
    expect(formatStripeAmount(80_045, 'twd')).toEqual({ amount: '800.45', formatted: 'NT$800.45', currency: 'TWD' });
  });

  // ICU separates a code from its amount with a no-break space (U+00A0).
  it('a currency code Intl does not know is shown with two decimals and its code', () => {
    expect(formatStripeAmount(4900, 'xts')).toMatchObject({ amount: '49.00', currency: 'XTS' });
  });

  it.each(STRIPE_CURRENCIES)('%s: 12,345 in Stripe’s minor units of the currency reads 12,345', (code) => {
    const minor = 12_345 * 10 ** stripeExponent(code);
    const shown = formatStripeAmount(minor, code.toLowerCase());
    expect(Number(shown.amount)).toBe(12_345);
    expect(figure(shown.formatted)).toMatch(/^12,345(\.0+)?$/);
    expect(shown.currency).toBe(code);
  });
});
