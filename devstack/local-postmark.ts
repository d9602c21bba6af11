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
import { createTemplateStore, type StoredTemplate } from './local-postmark-templates';
import { outboxPage } from './outbox-page';
import { DEFAULT_TEMPLATE_ALIASES, withAliases } from '../src/emails';

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
  /** The Messages API search shows a message only this long after it was accepted (Postmark's index lags its sends). */
  searchLag(ms: number): void;
  /** The server's templates (Postmark's template API: `/templates`). */
  templates(): StoredTemplate[];
  /** Empties the outbox and the request log, and forgets the failure modes (the templates stay). */
  reset(): void;
  close: () => Promise<void>;
}

type Fields = Record<string, unknown>;
type SendRoute = (body: Fields, token: string, mode?: FailureMode) => WireAnswer;

export interface LocalPostmarkOptions {
  port?: number;
  host?: string;
  /**
   * `repository` (default): the server starts with the repository's templates (src/emails) under
   * their default aliases, as if `npm run ops -- emails push` had run; `none`: an empty server.
   */
  templates?: 'repository' | 'none';
}

/**
 * A stand-in for the Postmark API that the real `postmark` client can talk to: it accepts any
 * server token, records what it is asked to send and can be told to fail like Postmark does.
 * Templates are kept and rendered as Postmark does (its template API: `/templates`); a send to a
 * template the server lacks is refused with Postmark's 422. `GET /outbox` shows the recorded
 * messages (as JSON; in a browser, rendered as the buyer sees them); `DELETE /outbox` empties it.
 */
export async function startLocalPostmark(opts: LocalPostmarkOptions = {}): Promise<LocalPostmark> {
  const store = createTemplateStore();
  if ((opts.templates ?? 'repository') === 'repository') {
    for (const { template, alias } of withAliases(DEFAULT_TEMPLATE_ALIASES)) {
      const created = store.route('POST', '/templates', new URLSearchParams(), {
        Name: template.name,
        Alias: alias,
        Subject: template.subject,
        HtmlBody: template.htmlBody,
        TextBody: template.textBody,
      });
      if (created?.status !== 200) throw new Error(`template ${alias} refused: ${JSON.stringify(created?.body)}`);
    }
  }
  const outbox: SentMessage[] = [];
  const requests: RecordedRequest[] = [];
  let queued: FailureMode[] = [];
  let always: FailureMode | null = null;
  let searchDown = false;
  let searchLagMs = 0;
  const closing = new AbortController();

  const sendOne = (msg: Fields, token: string, templated: boolean, mode: FailureMode | undefined): WireAnswer => {
    const refusal = (mode && failureAnswer(mode, typeof msg.To === 'string' ? msg.To : '')) ?? invalidMessage(msg, templated);
    if (refusal) return refusal;
    const rendered = templated ? store.render(msg) : undefined;
    if (rendered && 'status' in rendered) return rendered;
    const sent = toSentMessage(msg, token, rendered);
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
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.replace(/\/$/, '');
    // Server tokens stay out of the page: a token is a secret even when it is a local one.
    const shown = () => outbox.map(({ serverToken: _token, ...message }) => message);
    if (path === '/outbox' && req.method === 'GET')
      return /text\/html/.test(req.headers.accept ?? '')
        ? { status: 200, body: outboxPage(shown()), html: true }
        : { status: 200, body: shown() };
    if (path === '/outbox' && req.method === 'DELETE') return { status: 200, body: { Deleted: outbox.splice(0).length } };
    if (path === '/messages/outbound' && req.method === 'GET') {
      if (typeof req.headers['x-postmark-server-token'] !== 'string') return MISSING_TOKEN;
      if (searchDown) return { status: 503, body: { ErrorCode: 0, Message: 'Service Unavailable' } };
      const indexed = outbox.filter((m) => Date.now() - Date.parse(m.submittedAt) >= searchLagMs);
      return searchOutbound(indexed, new URL(req.url ?? '/', 'http://local').searchParams);
    }

    if (path === '/templates' || path.startsWith('/templates/')) {
      if (typeof req.headers['x-postmark-server-token'] !== 'string') return MISSING_TOKEN;
      const body = req.method === 'POST' || req.method === 'PUT' ? parseJson(await readBody(req)) : undefined;
      const answer = store.route(req.method ?? 'GET', path, url.searchParams, body);
      if (answer) return answer;
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
    templates: () => store.list(),
    searchUnavailable(unavailable) {
      searchDown = unavailable;
    },
    searchLag(ms) {
      searchLagMs = ms;
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
      searchLagMs = 0;
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

function reply(res: ServerResponse, { status, body, broken, html }: WireAnswer): void {
  if (broken === 'reset') return void res.socket?.destroy();
  if (html) {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    return void res.end(String(body));
  }
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
