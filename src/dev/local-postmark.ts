import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  accepted,
  brokenAnswer,
  failureAnswer,
  invalidMessage,
  INVALID_JSON,
  MISSING_TOKEN,
  parseJson,
  recipientsOf,
  searchOutbound,
  toSentMessage,
  type FailureMode,
  type RecordedRequest,
  type SentMessage,
  type WireAnswer,
} from './local-postmark-wire';

export type { FailureMode, RecordedRequest, SentMessage } from './local-postmark-wire';

export interface LocalPostmark {
  /** e.g. `http://127.0.0.1:54321` */
  url: string;
  /** e.g. `127.0.0.1:54321`, the postmark client's `requestHost` (with `useHttps: false`). */
  requestHost: string;
  /** Accepted messages, oldest first. */
  outbox: SentMessage[];
  /** Every send request with the status it got, failed ones included, oldest first. */
  requests: RecordedRequest[];
  /** The next `n` send requests fail (or are slow) in this way; then `failAlways`'s mode applies again. */
  failNext(n: number, mode: FailureMode): void;
  /** Every send request fails this way until called with null. */
  failAlways(mode: FailureMode | null): void;
  /** An outage: for `ms`, every send fails in this way and the search answers 503; resolves when it is over. */
  failFor(ms: number, mode: FailureMode): Promise<void>;
  /** While true, the Messages API search answers 503 (Postmark cannot tell what it sent). */
  searchUnavailable(unavailable: boolean): void;
  /** Empties the outbox and the request log, and forgets the failure modes. */
  reset(): void;
  close: () => Promise<void>;
}

type Fields = Record<string, unknown>;
type SendRoute = (body: Fields, token: string, mode?: FailureMode) => WireAnswer;

/**
 * A stand-in for the Postmark API that the real `postmark` client can talk to: it accepts any
 * server token, records what it is asked to send and can be told to fail like Postmark does.
 * `GET /outbox` shows the recorded messages; `DELETE /outbox` empties it.
 */
export async function startLocalPostmark(opts: { port?: number; host?: string } = {}): Promise<LocalPostmark> {
  const outbox: SentMessage[] = [];
  const requests: RecordedRequest[] = [];
  let queued: FailureMode[] = [];
  let always: FailureMode | null = null;
  let searchDown = false;
  const closing = new AbortController();

  const sendOne = (msg: Fields, token: string, templated: boolean, mode: FailureMode | undefined): WireAnswer => {
    const refusal = (mode && failureAnswer(mode, typeof msg.To === 'string' ? msg.To : '')) ?? invalidMessage(msg, templated);
    if (refusal) return refusal;
    const sent = toSentMessage(msg, token);
    outbox.push(sent);
    return accepted(sent);
  };

  const sendRoutes: Record<string, SendRoute> = {
    '/email': (body, token, mode) => sendOne(body, token, false, mode),
    '/email/withTemplate': (body, token, mode) => sendOne(body, token, true, mode),
    // Like Postmark, a batch answers 200 with one result per message; only 429/500 fail it whole.
    '/email/batchWithTemplates': (body, token, mode) => {
      const whole = mode && failureAnswer(mode, '');
      if (whole && whole.status !== 422) return whole;
      if (!Array.isArray(body.Messages)) return { status: 422, body: { ErrorCode: 300, Message: "Missing 'Messages'." } };
      return { status: 200, body: body.Messages.map((msg: Fields) => sendOne(msg, token, true, mode).body) };
    },
  };

  async function handle(req: IncomingMessage): Promise<WireAnswer> {
    const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/$/, '');
    // Server tokens stay out of the page: a token is a secret even when it is a local one.
    if (path === '/outbox' && req.method === 'GET')
      return { status: 200, body: outbox.map(({ serverToken: _token, ...message }) => message) };
    if (path === '/outbox' && req.method === 'DELETE') return { status: 200, body: { Deleted: outbox.splice(0).length } };
    if (path === '/messages/outbound' && req.method === 'GET') {
      if (typeof req.headers['x-postmark-server-token'] !== 'string') return MISSING_TOKEN;
      if (searchDown) return { status: 503, body: { ErrorCode: 0, Message: 'Service Unavailable' } };
      return searchOutbound(outbox, new URL(req.url ?? '/', 'http://local').searchParams);
    }

    const route = req.method === 'POST' ? sendRoutes[path] : undefined;
    if (!route) return { status: 404, body: { ErrorCode: 0, Message: `The local Postmark has no ${req.method} ${path}.` } };
    const body = parseJson(await readBody(req));
    const answer = await send(route, body, req.headers['x-postmark-server-token']);
    const errorCode = (answer.body as { ErrorCode?: number }).ErrorCode ?? 0;
    requests.push({ path, to: recipientsOf(body), status: answer.status, errorCode });
    return answer;
  }

  async function send(route: SendRoute, body: Fields | undefined, token: unknown): Promise<WireAnswer> {
    if (typeof token !== 'string' || token.trim() === '') return MISSING_TOKEN;
    if (!body) return INVALID_JSON;
    const mode = queued.shift() ?? always ?? undefined;
    // The message is recorded once the delay is over, even if the client gave up meanwhile:
    // a real Postmark would still send it.
    if (mode?.kind === 'slow') await sleep(mode.delayMs, undefined, { signal: closing.signal });
    const answer = route(body, token, mode);
    return answer.status === 200 ? { ...answer, broken: brokenAnswer(mode) } : answer;
  }

  const server = createServer((req, res) => {
    handle(req).then(
      (answer) => reply(res, answer),
      (err: Error) => (closing.signal.aborted ? res.destroy() : reply(res, { status: 500, body: { ErrorCode: 0, Message: err.message } })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const requestHost = `${address.includes(':') ? `[${address}]` : address}:${port}`;

  return {
    url: `http://${requestHost}`,
    requestHost,
    outbox,
    requests,
    failNext(n, mode) {
      queued.push(...Array.from({ length: n }, () => mode));
    },
    failAlways(mode) {
      always = mode;
    },
    searchUnavailable(unavailable) {
      searchDown = unavailable;
    },
    async failFor(ms, mode) {
      [always, searchDown] = [mode, true];
      await sleep(ms);
      [always, searchDown] = [null, false];
    },
    reset() {
      outbox.length = 0;
      requests.length = 0;
      queued = [];
      always = null;
      searchDown = false;
    },
    close() {
      closing.abort();
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections();
      return closed;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, { status, body, broken }: WireAnswer): void {
  if (broken === 'reset') return void res.socket?.destroy();
  if (broken === 502 || broken === 504) {
    // What a proxy in front of Postmark answers when Postmark's own answer did not reach it.
    res.writeHead(broken, { 'content-type': 'text/html' });
    return void res.end(`<html><body><h1>${broken} ${broken === 502 ? 'Bad Gateway' : 'Gateway Time-out'}</h1></body></html>`);
  }
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  if (broken === 'truncated') {
    res.write(text.slice(0, Math.floor(text.length / 2)));
    return void setTimeout(() => res.socket?.destroy(), 20);
  }
  res.end(text);
}
