/** The codec server's sign-in page for browsers (the Temporal UI cannot send a token of ours). */
const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Payload codec</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}input{font:inherit;padding:.3rem}</style>` +
  `</head><body><h1>Payload codec</h1>${body}</body></html>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(error?: string): string {
  return page(
    `${error ? `<p role="alert"><strong>${escape(error)}</strong></p>` : ''}` +
      `<p>Sign this browser in to decode Temporal payloads in the Temporal UI.</p>` +
      `<form method="post" action="/codec/login"><label>Codec token (CODEC_AUTH_TOKEN) ` +
      `<input type="password" name="token" autocomplete="off" required></label> <button type="submit">Sign in</button></form>`,
  );
}

export function signedInPage(): string {
  return page(
    `<p>Signed in. In the Temporal UI, open the Codec Server settings (the data-encoder icon), ` +
      `tick <em>Include cross-origin credentials</em> (and, if the endpoint is not preset, enter this server's ` +
      `<code>/codec</code> URL); payloads then show decoded.</p>` +
      `<form method="post" action="/codec/logout"><button type="submit">Sign out</button></form>`,
  );
}

export function signedOutPage(): string {
  return page(`<p>Signed out: this browser's session is over.</p><p><a href="/codec/login">Sign in again</a></p>`);
}
