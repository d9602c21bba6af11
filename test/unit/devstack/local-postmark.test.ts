import { Errors, ServerClient } from 'postmark';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';

const TOKEN = 'local-postmark-token';

describe('local Postmark, driven by the real postmark client', () => {
  let postmark: LocalPostmark;
  let client: ServerClient;

  const welcome = (to = 'ada@example.com') => ({
    From: 'hello@saas.example',
    To: to,
    TemplateAlias: 'welcome',
    TemplateModel: { name: 'Ada', email: to },
    Tag: 'welcome',
    Metadata: { eventId: 'evt_123' },
    MessageStream: 'outbound',
  });

  beforeAll(async () => {
    postmark = await startLocalPostmark();
    client = new ServerClient(TOKEN, { requestHost: postmark.requestHost, useHttps: false, timeout: 5 });
  });
  afterEach(() => postmark.reset());
  afterAll(() => postmark.close());

  it('records a templated email, rendered by its template, and answers with its MessageID', async () => {
    const response = await client.sendEmailWithTemplate(welcome());

    expect(response).toMatchObject({ To: 'ada@example.com', ErrorCode: 0, Message: 'OK' });
    expect(postmark.outbox).toEqual([
      {
        to: 'ada@example.com',
        from: 'hello@saas.example',
        templateAlias: 'welcome',
        templateModel: { name: 'Ada', email: 'ada@example.com' },
        subject: 'Welcome aboard, Ada',
        htmlBody: expect.stringContaining('<strong>ada@example.com</strong>'),
        textBody: expect.stringContaining('Sign in with ada@example.com'),
        tag: 'welcome',
        metadata: { eventId: 'evt_123' },
        messageStream: 'outbound',
        messageId: response.MessageID,
        submittedAt: response.SubmittedAt,
        serverToken: TOKEN,
      },
    ]);
    expect(response.MessageID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails with a 500 once, recording nothing, then succeeds', async () => {
    postmark.failNext(1, { kind: 'server-error' });

    await expect(client.sendEmailWithTemplate(welcome())).rejects.toBeInstanceOf(Errors.InternalServerError);
    expect(postmark.outbox).toHaveLength(0);

    const response = await client.sendEmailWithTemplate(welcome());
    expect(postmark.outbox.map((m) => m.messageId)).toEqual([response.MessageID]);
    expect(postmark.requests.map((r) => [r.to, r.status, r.errorCode])).toEqual([
      ['ada@example.com', 500, 0],
      ['ada@example.com', 200, 0],
    ]);
  });

  it('rate-limits with a 429', async () => {
    postmark.failNext(1, { kind: 'rate-limit' });

    await expect(client.sendEmailWithTemplate(welcome())).rejects.toBeInstanceOf(Errors.RateLimitExceededError);
    expect(postmark.outbox).toHaveLength(0);
  });

  it('refuses an inactive recipient with ErrorCode 406', async () => {
    postmark.failAlways({ kind: 'inactive-recipient' });

    const sending = client.sendEmailWithTemplate(welcome('bounced@example.com'));
    await expect(sending).rejects.toBeInstanceOf(Errors.InactiveRecipientsError);
    await expect(sending).rejects.toMatchObject({ code: 406, statusCode: 422, recipients: ['bounced@example.com'] });
    expect(postmark.outbox).toHaveLength(0);
    expect(postmark.requests).toEqual([{ path: '/email/withTemplate', to: 'bounced@example.com', status: 422, errorCode: 406 }]);
  });

  it('refuses an unknown template with ErrorCode 1101', async () => {
    postmark.failNext(1, { kind: 'invalid-template' });

    await expect(client.sendEmailWithTemplate(welcome())).rejects.toMatchObject({ code: 1101, statusCode: 422 });
  });

  it('refuses a message without a recipient', async () => {
    const sending = client.sendEmailWithTemplate({ ...welcome(), To: undefined });

    await expect(sending).rejects.toBeInstanceOf(Errors.InvalidEmailRequestError);
    await expect(sending).rejects.toMatchObject({ code: 300 });
  });

  it('answers 401 with ErrorCode 10 when the server token header is missing', async () => {
    // The client refuses to be built without a token, so a bare request shows the server's side.
    const response = await fetch(`${postmark.url}/email/withTemplate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(welcome()),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ErrorCode: 10 });
    expect(() => new ServerClient('')).toThrow(Errors.PostmarkError);
    expect(postmark.outbox).toHaveLength(0);
  });

  it('makes the client throw InvalidAPIKeyError when the token does not arrive', async () => {
    const withoutToken: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('X-Postmark-Server-Token');
      return fetch(input, { ...init, headers });
    };
    const tokenless = new ServerClient(TOKEN, { requestHost: postmark.requestHost, useHttps: false, fetch: withoutToken });

    const sending = tokenless.sendEmailWithTemplate(welcome());
    await expect(sending).rejects.toBeInstanceOf(Errors.InvalidAPIKeyError);
    await expect(sending).rejects.toMatchObject({ code: 10, statusCode: 401 });
  });

  it('answers a slow request late, and a client timeout surfaces as a status-less PostmarkError', async () => {
    postmark.failNext(1, { kind: 'slow', delayMs: 1500 });
    const impatient = new ServerClient(TOKEN, { requestHost: postmark.requestHost, useHttps: false, timeout: 0.5 });

    const sending = impatient.sendEmailWithTemplate(welcome());
    await expect(sending).rejects.toBeInstanceOf(Errors.PostmarkError);
    await expect(sending).rejects.toMatchObject({ statusCode: 0, code: 0, message: expect.stringMatching(/timeout/i) });
    expect(postmark.outbox).toHaveLength(0);

    // Postmark still sends what it accepted after the client gave up.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(postmark.outbox).toHaveLength(1);
  });

  it('sends plain emails and batches, and serves the outbox over HTTP', async () => {
    await client.sendEmail({ From: 'hello@saas.example', To: 'bob@example.com', Subject: 'Hi', TextBody: 'Hello' });
    const batch = await client.sendEmailBatchWithTemplates([welcome('a@example.com'), { ...welcome(), From: '' }]);
    expect(batch.map((r) => r.ErrorCode)).toEqual([0, 300]);

    const listed = (await (await fetch(`${postmark.url}/outbox`)).json()) as { to: string }[];
    expect(listed.map((m) => m.to)).toEqual(['bob@example.com', 'a@example.com']);

    await fetch(`${postmark.url}/outbox`, { method: 'DELETE' });
    expect(postmark.outbox).toHaveLength(0);
  });

  it('answers 503 to sends and searches for the length of an outage, then sends again', async () => {
    const outage = postmark.failFor(300, { kind: 'unavailable' });

    await expect(client.sendEmailWithTemplate(welcome())).rejects.toMatchObject({ statusCode: 503 });
    await expect(client.getOutboundMessages({ count: 10, offset: 0 })).rejects.toMatchObject({ statusCode: 503 });
    expect(postmark.outbox).toHaveLength(0);

    await outage;
    const response = await client.sendEmailWithTemplate(welcome());
    expect(postmark.outbox.map((m) => m.messageId)).toEqual([response.MessageID]);
    expect(postmark.requests.map((r) => r.status)).toEqual([503, 200]);
  });
});
