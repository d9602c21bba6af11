import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createTemporalClient, temporalConnectionOptions } from '../../../src/clients/temporal';
import { loadApiConfig, loadWorkerConfig } from '../../../src/config';
import { startTlsGateway, type TlsGateway } from '../../support/temporal-tls-gateway';
import { testEnv } from '../../support/test-env';

/**
 * The API, the worker and ops reach Temporal Cloud or a TLS cluster from Temporal's own
 * variables. The dev server has no TLS, so a real HTTP/2 TLS gateway in front of it (test/support)
 * plays the frontend that checks a client certificate (mTLS) or an API key.
 */
const api = { DATABASE_URL: 'postgresql://db/app', STRIPE_WEBHOOK_SECRET: 'whsec_x' };
const worker = { DATABASE_URL: 'postgresql://db/app', STRIPE_SECRET_KEY: 'sk_test_x', POSTMARK_SERVER_TOKEN: 't', POSTMARK_FROM: 'a@b.c' };
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const c of opened.reverse()) await c.close().catch(() => {});
});

/** A round trip that needs the namespace: what every start, signal and poll does first. */
async function describeNamespace(connection: Pick<Connection, 'workflowService'>): Promise<string> {
  const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
  return namespaceInfo?.name ?? '';
}

describe('Temporal over mTLS (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA)', () => {
  let gateway: TlsGateway;
  beforeAll(async () => {
    gateway = await startTlsGateway({ backend: testEnv.temporalAddress, requireClientCert: true });
    opened.push(gateway);
  });
  const tlsEnv = () => ({
    TEMPORAL_ADDRESS: gateway.address,
    TEMPORAL_TLS_CERT: gateway.files.clientCert,
    TEMPORAL_TLS_KEY: gateway.files.clientKey,
    TEMPORAL_TLS_CA: gateway.files.ca,
  });

  it('the API client starts a workflow and reads it back through the TLS frontend', async () => {
    const client = createTemporalClient(loadApiConfig({ ...api, ...tlsEnv() }));
    opened.push(client.connection);
    const workflowId = `tls-${randomUUID()}`;
    const handle = await client.workflow.start('fulfillCheckout', { taskQueue: `tls-${randomUUID()}`, workflowId, args: [] });
    expect((await handle.describe()).workflowId).toBe(workflowId);
    await handle.terminate('tls test');
    expect(gateway.forwarded.some((call) => call.path.endsWith('/StartWorkflowExecution'))).toBe(true);
  });

  it('the worker’s native connection connects with the same options', async () => {
    const connection = await NativeConnection.connect(temporalConnectionOptions(loadWorkerConfig({ ...worker, ...tlsEnv() })));
    opened.push(connection);
    expect(await describeNamespace(connection)).toBe('default');
  });

  it('is refused without a client certificate, or with one another CA signed', async () => {
    const noCert = Connection.lazy({ address: gateway.address, tls: { serverRootCACertificate: readFileSync(gateway.files.ca) } });
    opened.push(noCert);
    await expect(describeNamespace(noCert)).rejects.toThrow(/client certificate/);
    const stranger = Connection.lazy(
      temporalConnectionOptions({
        ...loadApiConfig({ ...api, ...tlsEnv() }),
        TEMPORAL_TLS_CERT: gateway.files.otherClientCert,
        TEMPORAL_TLS_KEY: gateway.files.otherClientKey,
      }),
    );
    opened.push(stranger);
    await expect(describeNamespace(stranger)).rejects.toThrow(/client certificate/);
  });
});

describe('Temporal Cloud with an API key (TEMPORAL_API_KEY)', () => {
  let gateway: TlsGateway;
  beforeAll(async () => {
    gateway = await startTlsGateway({ backend: testEnv.temporalAddress, apiKey: 'key-for-tests' });
    opened.push(gateway);
  });

  it('every call carries the key as a bearer token over TLS, from the API client and the worker', async () => {
    const env = { TEMPORAL_ADDRESS: gateway.address, TEMPORAL_API_KEY: 'key-for-tests', TEMPORAL_TLS_CA: gateway.files.ca };
    const client = createTemporalClient(loadApiConfig({ ...api, ...env }));
    opened.push(client.connection);
    expect(await describeNamespace(client.connection)).toBe('default');
    const native = await NativeConnection.connect(temporalConnectionOptions(loadWorkerConfig({ ...worker, ...env })));
    opened.push(native);
    expect(await describeNamespace(native)).toBe('default');
    expect(gateway.forwarded.length).toBeGreaterThanOrEqual(2);
    expect(gateway.forwarded.every((call) => call.authorization === 'Bearer key-for-tests')).toBe(true);
  });

  it('a wrong key is refused', async () => {
    const client = createTemporalClient(
      loadApiConfig({ ...api, TEMPORAL_ADDRESS: gateway.address, TEMPORAL_API_KEY: 'wrong', TEMPORAL_TLS_CA: gateway.files.ca }),
    );
    opened.push(client.connection);
    await expect(describeNamespace(client.connection)).rejects.toThrow(/invalid API key/);
  });
});
