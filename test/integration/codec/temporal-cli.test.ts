import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { buildCodecApp } from '../../../src/codec/codec-app';
import { freePort } from '../../../devstack/free-port';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { ensureTool, TEMPORAL_CLI } from '../../../devstack/tools';
import { EncryptionCodec } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { deliverSigned } from '../../support/deliver-signed';
import { SHIPPED_CATALOG, WEBHOOK_SECRET } from '../../support/harness';
import { startInProcessService } from '../../support/stack/in-process-service';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { testEnv } from '../../support/test-env';

const run = promisify(execFile);
const PAYLOAD_KEYS = `cli-test:${randomBytes(32).toString('base64')}`;
const TOKEN = randomBytes(24).toString('base64url');

let postmark: LocalPostmark;
let service: Awaited<ReturnType<typeof startInProcessService>>;
let codec: Awaited<ReturnType<typeof buildCodecApp>>;
let codecUrl: string;
let temporalCli: string;

beforeAll(async () => {
  postmark = await startLocalPostmark();
  service = await startInProcessService({
    payloadKeys: PAYLOAD_KEYS,
    databaseUrl: testEnv.databaseUrl,
    temporalAddress: testEnv.temporalAddress,
    taskQueue: `codec-cli-${randomBytes(4).toString('hex')}`,
    webhookSecret: WEBHOOK_SECRET,
    catalog: SHIPPED_CATALOG,
    stripeApiBase: testEnv.stripeApiBase,
    postmarkUrl: postmark.url,
    workflowBundle: { codePath: testEnv.workflowBundlePath },
  });
  codec = await buildCodecApp({ codec: new EncryptionCodec(parsePayloadKeys(PAYLOAD_KEYS)), authToken: TOKEN, corsOrigins: [] });
  const port = await freePort();
  await codec.listen({ port, host: '127.0.0.1' });
  codecUrl = `http://127.0.0.1:${port}/codec`;
  temporalCli = await ensureTool(TEMPORAL_CLI);
}, 120_000);

afterAll(async () => {
  await service?.close();
  await Promise.allSettled([postmark?.close(), codec?.close()]);
});

/** The workflow input's encoding and data in `temporal workflow show --output json` (proto JSON: bytes as base64). */
function startInput(stdout: string): { encoding: string; data: string } {
  const history = JSON.parse(stdout) as {
    events: Array<{
      workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ metadata: { encoding: string }; data: string }> } };
    }>;
  };
  const [payload] = history.events[0].workflowExecutionStartedEventAttributes!.input.payloads;
  const text = (b64: string) => Buffer.from(b64, 'base64').toString();
  return { encoding: text(payload.metadata.encoding), data: text(payload.data) };
}

/** `temporal workflow show` as an engineer runs it against an encrypted run. */
const show = (workflowId: string, codecArgs: string[]) =>
  run(temporalCli, ['workflow', 'show', '-w', workflowId, '--address', testEnv.temporalAddress, '--output', 'json', ...codecArgs], {
    maxBuffer: 16 * 1024 * 1024,
  });

describe('the temporal CLI (v1.5.1) through the codec server', () => {
  it('shows a run’s payloads decoded with --codec-endpoint and --codec-auth "Bearer <CODEC_AUTH_TOKEN>", and only ciphertext without', async () => {
    const email = `cli.codec.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, metadata: sumoMetadata() });
    expect((await deliverSigned(service.app, event, WEBHOOK_SECRET)).statusCode).toBe(200);
    await service.client.workflow.getHandle(event.id).result();

    const decoded = startInput((await show(event.id, ['--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${TOKEN}`])).stdout);
    expect(decoded.encoding).toBe('json/plain');
    expect(JSON.parse(decoded.data)).toMatchObject({ eventId: event.id, email });

    const raw = await show(event.id, []);
    expect(startInput(raw.stdout).encoding).toBe('binary/encrypted');
    expect(raw.stdout).toContain(event.id);
    expect(raw.stdout).not.toContain(Buffer.from(email).toString('base64').slice(0, 16));

    // Without the token the codec answers 401 and the CLI gives up on the history.
    await expect(show(event.id, ['--codec-endpoint', codecUrl])).rejects.toThrow(/failed getting next history event/);
  }, 120_000);
});
