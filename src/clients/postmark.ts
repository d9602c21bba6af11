import { ServerClient } from 'postmark';

/** Postmark must answer well within the activity's 30 s start-to-close timeout. */
export const POSTMARK_TIMEOUT_SECONDS = 10;

/** The real Postmark client; `apiUrl` points it at Postmark or at a local stand-in. */
export function createPostmarkClient(serverToken: string, apiUrl: string, timeoutSeconds = POSTMARK_TIMEOUT_SECONDS): ServerClient {
  const url = new URL(apiUrl);
  return new ServerClient(serverToken, {
    useHttps: url.protocol === 'https:',
    requestHost: url.host + url.pathname.replace(/\/$/, ''),
    timeout: timeoutSeconds,
  });
}
