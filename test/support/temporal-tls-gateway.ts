import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Temporal dev server speaks plain gRPC only, so this stands in for Temporal Cloud's (or a
 * TLS cluster's) frontend: a real HTTP/2 TLS server that forwards every gRPC call to the dev
 * server, and refuses a call the way Cloud does — no client certificate (mTLS) or no
 * `authorization: Bearer <key>` (API key) → UNAUTHENTICATED.
 */
export interface TlsGateway {
  address: string;
  files: { ca: string; clientCert: string; clientKey: string; otherClientCert: string; otherClientKey: string };
  /** Calls that reached the backend, and the bearer token each carried. */
  forwarded: Array<{ path: string; authorization?: string }>;
  close(): Promise<void>;
}

export interface TlsGatewayOptions {
  backend: string;
  /** mTLS: only clients with a certificate signed by the gateway's CA get through. */
  requireClientCert?: boolean;
  /** API key mode: only calls carrying this bearer token get through. */
  apiKey?: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate it signed, and one it did not. */
function makeCertificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const leaf = (name: string, subject: string, ca: string, extensions: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  for (const ca of ['ca', 'other-ca'])
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-subj', `/CN=${ca}`, '-days', '2', '-out', `${ca}.pem`);
  leaf('server', '/CN=localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', '/CN=fulfillment-worker', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', '/CN=stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'http2-settings']);
const forwardable = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k) && !(k.startsWith(':') && k !== ':status')));

export async function startTlsGateway(options: TlsGatewayOptions): Promise<TlsGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-gateway-'));
  makeCertificates(dir);
  const file = (name: string) => join(dir, name);
  const upstream = http2.connect(`http://${options.backend}`);
  upstream.on('error', () => {}); // a failed call is reported on its stream
  const forwarded: TlsGateway['forwarded'] = [];

  const server = http2.createSecureServer({
    key: readFileSync(file('server.key')),
    cert: readFileSync(file('server.pem')),
    ca: readFileSync(file('ca.pem')),
    requestCert: !!options.requireClientCert,
    rejectUnauthorized: false, // refused per call below, with a gRPC status the client can read
    allowHTTP1: false,
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const socket = stream.session?.socket as (import('node:tls').TLSSocket & { authorized: boolean }) | undefined;
    const refuse = (message: string) =>
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': message },
        { endStream: true },
      );
    if (options.requireClientCert && !socket?.authorized) return refuse('a client certificate signed by the namespace CA is required');
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) return refuse('invalid API key');
    forwarded.push({ path: String(headers[':path']), authorization: headers.authorization });

    const call = upstream.request({ ...forwardable(headers), ':method': 'POST', ':path': headers[':path'] });
    stream.pipe(call);
    call.on('response', (response, flags) => {
      // A trailers-only answer (an error status in the headers) ends the stream at once.
      const trailersOnly = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 || 'grpc-status' in response;
      stream.respond(forwardable(response), trailersOnly ? { endStream: true } : { waitForTrailers: true });
      if (!trailersOnly) call.pipe(stream);
    });
    let trailers: OutgoingHttpHeaders = {};
    call.on('trailers', (t) => (trailers = forwardable(t)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('close', () => call.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    files: {
      ca: file('ca.pem'),
      clientCert: file('client.pem'),
      clientKey: file('client.key'),
      otherClientCert: file('stranger.pem'),
      otherClientKey: file('stranger.key'),
    },
    forwarded,
    async close() {
      upstream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // open sessions (a worker's long polls) would hold close() forever
        for (const session of sessions) session.destroy();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
