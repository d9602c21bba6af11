import { redactEmails } from '../../src/log';

describe('redactEmails', () => {
  it.each([
    [
      'Found inactive addresses: jane.doe@example.com. Inactive recipients are…',
      'Found inactive addresses: j***@example.com. Inactive recipients are…',
    ],
    ["Invalid 'To' address: 'josé.garcía@exämple.com'.", "Invalid 'To' address: 'j***@exämple.com'."],
    ['to <ops+alerts@mail.example.co.uk>, cc "x@intranet"', 'to <o***@mail.example.co.uk>, cc "x***@intranet"'],
  ])('masks every address in %j', (text, masked) => {
    expect(redactEmails(text)).toBe(masked);
  });

  it('leaves text without an address alone', () => {
    expect(redactEmails('Postmark unavailable (HTTP 503, ErrorCode 0): Service Unavailable')).toBe(
      'Postmark unavailable (HTTP 503, ErrorCode 0): Service Unavailable',
    );
  });
});
