const DAY_MONTH_YEAR = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A moment Stripe gives (unix seconds) as people write a date in an email: `9 December 2026`.
 * The day is the UTC one: the service does not know the buyer's time zone, and a day is what
 * the buyer needs (Stripe retries a payment in the course of that day).
 */
export function emailDate(unixSeconds: number): string {
  return DAY_MONTH_YEAR.format(new Date(unixSeconds * 1000));
}
