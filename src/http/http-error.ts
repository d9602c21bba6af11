/** An error with a stable code a client can act on. 4xx messages go to the client;
 *  5xx details stay in the log and the client gets only the code. `retryAfterSeconds` becomes
 *  the Retry-After header (a 503 that says when to come back). */
export class HttpError extends Error {
  readonly retryAfterSeconds?: number;
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
