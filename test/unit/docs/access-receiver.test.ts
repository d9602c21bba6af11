import type { AddressInfo } from 'node:net';
import { signAccessBody } from '../../../activities/access/sign-access-body';
import { createAccessReceiver, verifyAccessSignature, type AccessEvent } from '../../../docs/examples/access-receiver';

const SECRET = 'whsec_access_example_only_0123456789';
const event = (id: string, created: number, seats: number): AccessEvent => ({
  id,
  type: 'access.updated',
  created,
  reason: 'changed',
  user: { id: '6f1c1a9e-3c1b-4c5e-9a57-2f0e8a1b7c11', email: 'buyer@example.com' },
  access: { active: true, features: ['core'], seats, items: [] },
});

let receiver: ReturnType<typeof createAccessReceiver>;
let url: string;
beforeAll(async () => {
  receiver = createAccessReceiver({ secrets: [SECRET] });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => receiver.server.close(resolve)));

const post = (body: string, signature: string | null) =>
  fetch(url, { method: 'POST', headers: signature === null ? {} : { 'access-signature': signature }, body });

describe('the example receiver (docs/examples/access-receiver.ts)', () => {
  it('accepts an event signed as the service signs it, and keeps the access it carries', async () => {
    const body = JSON.stringify(event('acc_1', 1_800_000_000, 9));
    expect((await post(body, signAccessBody(body, SECRET))).status).toBe(200);
    expect(receiver.users.get('6f1c1a9e-3c1b-4c5e-9a57-2f0e8a1b7c11')).toMatchObject({ email: 'buyer@example.com', access: { seats: 9 } });
  });

  it('rejects a wrong signature: another secret, a changed body, a stale timestamp, none at all', async () => {
    const body = JSON.stringify(event('acc_forged', 1_800_000_100, 999));
    const stale = Math.floor(Date.now() / 1000) - 301;
    const answers = await Promise.all([
      post(body, signAccessBody(body, 'whsec_someone_else_entirely_0123456789')),
      post(body.replace('999', '1000'), signAccessBody(body, SECRET)),
      post(body, signAccessBody(body, SECRET, stale)),
      post(body, 't=1,v1=zz'),
      post(body, null),
    ]);
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(receiver.seen.has('acc_forged')).toBe(false);
  });

  it('applies a redelivered event once, and never lets an older event overwrite a newer one', async () => {
    const newer = JSON.stringify(event('acc_3', 1_800_000_300, 6));
    const older = JSON.stringify(event('acc_2', 1_800_000_200, 3));
    for (const body of [newer, newer, older]) expect((await post(body, signAccessBody(body, SECRET))).status).toBe(200);
    expect(receiver.users.get('6f1c1a9e-3c1b-4c5e-9a57-2f0e8a1b7c11')).toMatchObject({ access: { seats: 6 }, asOf: 1_800_000_300 });
  });

  it('verifies against any of several secrets while one is rolled', () => {
    const body = '{"id":"acc_4"}';
    expect(verifyAccessSignature(body, signAccessBody(body, SECRET), ['whsec_the_new_one_0123456789abcdef', SECRET])).toBe(true);
    expect(verifyAccessSignature(body, signAccessBody(body, SECRET), ['whsec_the_new_one_0123456789abcdef'])).toBe(false);
  });
});
