import { formatStripeAmount } from '../../../src/stripe/money';

describe('an amount Stripe gives in the currency’s smallest unit, as an email shows it', () => {
  it.each([
    ['usd', 4900, '49.00', '$49.00'],
    ['eur', 123456, '1234.56', '€1,234.56'],
    ['jpy', 4900, '4900', '¥4,900'],
    ['krw', 59000, '59000', '₩59,000'],
    ['kwd', 12340, '12.340', 'KWD\u00a012.340'],
    ['bhd', 5, '0.005', 'BHD\u00a00.005'],
  ])('%s %d reads %s (%s)', (currency, minor, amount, formatted) => {
    expect(formatStripeAmount(minor, currency)).toEqual({ amount, formatted, currency: currency.toUpperCase() });
  });

  it('reads Stripe’s two-decimal amounts of ISK, HUF, TWD and UGX in whole units, as those currencies are shown', () => {
    expect(formatStripeAmount(490_000, 'huf')).toEqual({ amount: '4900', formatted: 'HUF\u00a04,900', currency: 'HUF' });
    expect(formatStripeAmount(500, 'isk')).toEqual({ amount: '5', formatted: 'ISK\u00a05', currency: 'ISK' });
  });

  // ICU separates a code from its amount with a no-break space (U+00A0).
  it('a currency code Intl does not know is shown with two decimals and its code', () => {
    expect(formatStripeAmount(4900, 'xts')).toMatchObject({ amount: '49.00', currency: 'XTS' });
  });
});
