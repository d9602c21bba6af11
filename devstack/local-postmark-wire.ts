import { randomUUID } from 'node:crypto';

/** Postmark's wire format (PascalCase JSON) for the endpoints the local stand-in serves. */

/** One message the local Postmark accepted. */
export interface SentMessage {
  to: string;
  from: string;
  templateAlias?: string;
  templateId?: number;
  templateModel?: Record<string, unknown>;
  subject?: string;
  htmlBody?: string;
  textBody?: string;
  tag?: string;
  metadata?: Record<string, string>;
  messageStream: string;
  messageId: string;
  submittedAt: string;
  serverToken: string;
}

/** One send request as the local Postmark answered it, failures included. */
export interface RecordedRequest {
  path: string;
  /** The message's To; for a batch, every message's To joined with ', '. */
  to: string;
  status: number;
  /** Postmark's ErrorCode in the answer (0 when accepted; per-message codes of a batch are not shown). */
  errorCode: number;
}

export type FailureMode =
  | { kind: 'server-error' }
  /** 503, as Postmark (or its load balancer) answers during an outage. */
  | { kind: 'unavailable' }
  | { kind: 'rate-limit' }
  | { kind: 'inactive-recipient' }
  | { kind: 'invalid-template' }
  /** 422 ErrorCode 300, quoting the refused To as Postmark does. */
  | { kind: 'invalid-address' }
  /** Waits, then answers normally. */
  | { kind: 'slow'; delayMs: number }
  /** Accepts (and records) the message, then breaks the answer: the client cannot know it went out. */
  | { kind: 'accepted-then-reset' }
  | { kind: 'accepted-then-truncated' }
  | { kind: 'accepted-then-gateway-error'; status: 502 | 504 }
  /** Drops the connection before accepting anything. */
  | { kind: 'reset-before-accepting' };

export interface WireAnswer {
  status: number;
  body: unknown;
  /** How the answer is broken on the wire, if it is (see the accepted-then-* failure modes). */
  broken?: 'reset' | 'truncated' | 502 | 504;
  /** The body is an HTML page (the outbox in a browser), not Postmark's JSON. */
  html?: boolean;
}

type Fields = Record<string, unknown>;

export const apiError = (status: number, errorCode: number, message: string): WireAnswer => ({
  status,
  body: { ErrorCode: errorCode, Message: message },
});

export const MISSING_TOKEN = apiError(
  401,
  10,
  'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.',
);

export const INVALID_JSON = apiError(422, 402, 'Received invalid JSON input.');

/** The error a failure mode forces on a request to `to`; null for `slow`, which answers normally. */
export function failureAnswer(mode: FailureMode, to: string): WireAnswer | null {
  switch (mode.kind) {
    case 'accepted-then-reset':
    case 'accepted-then-truncated':
    case 'accepted-then-gateway-error':
      return null;
    case 'reset-before-accepting':
      return { status: 0, body: {}, broken: 'reset' };
    case 'server-error':
      return apiError(500, 0, 'Internal Server Error');
    case 'unavailable':
      return apiError(503, 0, 'Service Unavailable');
    case 'rate-limit':
      return apiError(429, 429, 'Rate limit exceeded.');
    case 'inactive-recipient':
      return apiError(
        422,
        406,
        `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${to}. ` +
          'Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.',
      );
    case 'invalid-address':
      return apiError(422, 300, `Invalid 'To' address: '${to}'.`);
    case 'invalid-template':
      return apiError(422, 1101, "The 'TemplateId' or 'TemplateAlias' associated with this request is not valid or was not found.");
    case 'slow':
      return null;
  }
}

const present = (value: unknown) => typeof value === 'string' && value.trim() !== '';

/** Postmark's 422 for a message it would refuse, or null when the message is acceptable. */
export function invalidMessage(msg: Fields, templated: boolean): WireAnswer | null {
  if (!present(msg.From)) return apiError(422, 300, "Invalid 'From' value.");
  if (!present(msg.To)) return apiError(422, 300, 'Zero recipients specified');
  if (templated && !present(msg.TemplateAlias) && typeof msg.TemplateId !== 'number') {
    return apiError(422, 300, "Invalid email request: either 'TemplateId' or 'TemplateAlias' must be specified.");
  }
  if (!templated && !present(msg.HtmlBody) && !present(msg.TextBody)) {
    return apiError(422, 300, 'Provide either email TextBody or HtmlBody or both.');
  }
  return null;
}

/** The record of an accepted message (camelCase, for tests and the /outbox page); a templated
 *  message carries what its template rendered, as Postmark's message details do. */
export function toSentMessage(
  msg: Fields,
  serverToken: string,
  rendered?: { subject: string; htmlBody?: string; textBody?: string },
): SentMessage {
  const optional = <T>(value: unknown) => (value === undefined || value === null ? undefined : (value as T));
  return {
    to: String(msg.To),
    from: String(msg.From),
    templateAlias: optional<string>(msg.TemplateAlias),
    templateId: optional<number>(msg.TemplateId),
    templateModel: optional<Record<string, unknown>>(msg.TemplateModel),
    subject: rendered?.subject ?? optional<string>(msg.Subject),
    htmlBody: rendered?.htmlBody ?? optional<string>(msg.HtmlBody),
    textBody: rendered?.textBody ?? optional<string>(msg.TextBody),
    tag: optional<string>(msg.Tag),
    metadata: optional<Record<string, string>>(msg.Metadata),
    messageStream: optional<string>(msg.MessageStream) ?? 'outbound',
    messageId: randomUUID(),
    submittedAt: new Date().toISOString(),
    serverToken,
  };
}

/** A JSON object from a request body; undefined for anything else (Postmark's 'Invalid JSON'). */
export function parseJson(text: string): Fields | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Fields) : undefined;
  } catch {
    return undefined;
  }
}

/** The recipients named in a request body, for the request log. */
export function recipientsOf(body: Fields | undefined): string {
  const messages = Array.isArray(body?.Messages) ? (body.Messages as Fields[]) : [body ?? {}];
  return messages.map((msg) => (typeof msg.To === 'string' ? msg.To : '')).join(', ');
}

/** Postmark's MessageSendingResponse for an accepted message. */
export const accepted = (sent: SentMessage): WireAnswer => ({
  status: 200,
  body: { To: sent.to, SubmittedAt: sent.submittedAt, MessageID: sent.messageId, ErrorCode: 0, Message: 'OK' },
});

/** How an accepted message's answer is broken in the accepted-then-* failure modes. */
export function brokenAnswer(mode: FailureMode | undefined): WireAnswer['broken'] {
  if (mode?.kind === 'accepted-then-reset') return 'reset';
  if (mode?.kind === 'accepted-then-truncated') return 'truncated';
  if (mode?.kind === 'accepted-then-gateway-error') return mode.status;
  return undefined;
}

/** One sent message as Postmark's Messages API lists it (`GET /messages/outbound`). */
export function outboundMessage(sent: SentMessage): Record<string, unknown> {
  return {
    MessageID: sent.messageId,
    To: [{ Email: sent.to, Name: null }],
    Recipients: [sent.to],
    From: sent.from,
    Subject: sent.subject ?? null,
    Tag: sent.tag ?? '',
    Metadata: sent.metadata ?? {},
    MessageStream: sent.messageStream,
    ReceivedAt: sent.submittedAt,
    Status: 'Sent',
  };
}

/** The `GET /messages/outbound` search: recipient, tag, metadata_<key>, count, offset. */
export function searchOutbound(outbox: SentMessage[], params: URLSearchParams): WireAnswer {
  const count = Number(params.get('count') ?? NaN);
  const offset = Number(params.get('offset') ?? 0);
  if (!Number.isInteger(count) || count < 1 || count > 500) return apiError(422, 1, "The 'count' parameter is required (1-500).");
  const recipient = params.get('recipient')?.toLowerCase();
  const tag = params.get('tag');
  const metadata = [...params.entries()].filter(([k]) => k.startsWith('metadata_')).map(([k, v]) => [k.slice('metadata_'.length), v]);
  const matching = outbox.filter(
    (m) =>
      (!recipient || m.to.toLowerCase() === recipient) &&
      (!tag || m.tag === tag) &&
      metadata.every(([key, value]) => m.metadata?.[key] === value),
  );
  return { status: 200, body: { TotalCount: matching.length, Messages: matching.slice(offset, offset + count).map(outboundMessage) } };
}
