import pino, { type Logger } from 'pino';

/** Structured JSON logs. Secrets and personal data are never logged; emails only masked. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: ['req.headers["stripe-signature"]', '*.email', 'email'], censor: '[redacted]' } });
}

/** `jane.doe@example.com` → `j***@example.com`: enough for an on-call engineer to tell cases apart. */
export function maskEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
}

/** Anything shaped like local@domain, in any script (Postmark quotes addresses it cannot route,
 *  internationalised ones included), up to a space, quote, bracket or separator. */
const EMAIL = /[^\s@<>()[\]\\,;:"'`]+@[^\s@<>()[\]\\,;:"'`]+/gu;

/** Every email address in a text masked: for messages that quote one (Postmark's "Found inactive addresses: …"). */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, (address) => maskEmail(address) ?? '***');
}
