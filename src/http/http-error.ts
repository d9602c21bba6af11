/** An error with a stable code a client can act on. 4xx messages go to the client;
 *  5xx details stay in the log and the client gets only the code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
