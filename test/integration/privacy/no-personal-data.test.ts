import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { accessDeliveryWorkflowId, statusQuery } from '../../../src/contracts';
import { freePort } from '../../../devstack/free-port';
import { checkoutEvent, signPayload, sumoMetadata } from '../../../devstack/sample-events';
import { runCli } from '../../../src/ops/cli';
import { createOpsContext } from '../../../src/ops/context';
import { EncryptionCodec, payloadDataConverter } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { PRODUCT_SECRET, startProduct, type Product } from '../../support/access-product';
import { eventually } from '../../support/eventually';
import { ProcessStack } from '../../support/stack/process-stack';
import { testEnv } from '../../support/test-env';

/**
 * With PAYLOAD_KEYS set, the real API and worker processes (as
 * production runs them) fulfil three purchases — one sent, one Postmark refuses as inactive
 * (422/406), one it refuses as an invalid address (422/300, quoting it) — and no buyer's
 * address or name is left in the raw history, the logs, the ledger, ops output or metrics. Access
 * events are on: the product gets the address it asked for; the delivery's history does not.
 */
const SECRET = 'whsec_privacy_test_only';
const PAYLOAD_KEYS = `privacy-test:${randomBytes(32).toString('base64')}`;
const tag = randomBytes(3).toString('hex');
const buyers = {
  sent: { email: `ada.sent.${tag}@example.com`, name: `Ada Sentfield${tag}` },
  inactive: { email: `bob.inactive.${tag}@example.com`, name: `Bob Bouncewell${tag}` },
  // Postmark cannot route an internationalised address; its 300 answer quotes it.
  invalid: { email: `josé.invalid.${tag}@exämple.com`, name: `José Ñandú${tag}` },
};
const personalData = Object.values(buyers).flatMap(({ email, name }) => [email, email.split('@')[0], name]);
const leaks = (text: string) => personalData.filter((needle) => text.includes(needle));

let product: Product;
let stack: ProcessStack;
const newStack = () =>
  new ProcessStack({
    postgres: { url: testEnv.databaseUrl },
    temporal: 'owned',
    taskQueue: `privacy-${tag}`,
    webhookSecret: SECRET,
    stripeApiBase: testEnv.stripeApiBase,
    env: { PAYLOAD_KEYS, LOG_LEVEL: 'debug', APP_WEBHOOK_URL: product.url, APP_WEBHOOK_SECRETS: PRODUCT_SECRET },
    // The whole of every log is searched.
    keepChars: 4_000_000,
    apis: 0,
    workers: 0,
  });
let decoding: Client;
let apiMetricsUrl: string;
let workerMetricsUrl: string;
const events = {
  sent: checkoutEvent({ ...buyers.sent, metadata: sumoMetadata() }),
  inactive: checkoutEvent({ ...buyers.inactive, metadata: sumoMetadata() }),
  invalid: checkoutEvent({ ...buyers.invalid, metadata: { tier_id: 'pro' } }),
};
const ops = async (argv: string[]) => runCli(argv, createOpsContext({ ...process.env, ...stack.workerEnv() }));

let sentUserId: string;

beforeAll(async () => {
  product = await startProduct();
  stack = newStack();
  await stack.start();
  const [metricsPort, workerMetricsPort] = await Promise.all([freePort(), freePort()]);
  apiMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  await stack.startWorker({ WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}` });
  await stack.startApi({ METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' });
  decoding = new Client({
    connection: await Connection.connect({ address: stack.temporalAddress }),
    dataConverter: payloadDataConverter(parsePayloadKeys(PAYLOAD_KEYS)),
  });

  await deliver(events.sent);
  await decoding.workflow.getHandle(events.sent.id).result();
  sentUserId = (await stack.db.user.findUniqueOrThrow({ where: { email: buyers.sent.email } })).id;
  await product.until(sentUserId, (e) => e.length === 1);
  await decoding.workflow.getHandle(accessDeliveryWorkflowId(sentUserId)).result();
  for (const [name, kind] of [
    ['inactive', 'inactive-recipient'],
    ['invalid', 'invalid-address'],
  ] as const) {
    stack.postmark.failNext(1, { kind });
    await deliver(events[name]);
    await needsAttention(events[name].id);
    const cancelled = await ops(['cancel', events[name].id, '--reason', 'privacy check']);
    expect(cancelled.code).toBe(0);
    await expect(decoding.workflow.getHandle(events[name].id).result()).rejects.toThrow();
  }
}, 240_000);

afterAll(async () => {
  await decoding?.connection.close();
  await stack?.stop('SIGTERM');
  await product?.close();
});

describe('with PAYLOAD_KEYS set, no personal data is readable', () => {
  it('in the raw history: every payload outside search attributes and headers is encrypted, and no address or name shows', async () => {
    for (const workflowId of [...Object.values(events).map((e) => e.id), accessDeliveryWorkflowId(sentUserId)]) {
      const history = historyToJSON(await stack.temporalClient.workflow.getHandle(workflowId).fetchHistory());
      expect(leaks(history)).toEqual([]);
      const encodings = payloadEncodings(JSON.parse(history));
      expect(encodings.length).toBeGreaterThan(5);
      expect(new Set(encodings)).toEqual(new Set(['binary/encrypted']));
    }
  });

  it('while a client with the codec reads the inputs decoded', async () => {
    const history = await stack.temporalClient.workflow.getHandle(events.sent.id).fetchHistory();
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    const [input] = await new EncryptionCodec(parsePayloadKeys(PAYLOAD_KEYS)).decode(started.input!.payloads!);
    expect(defaultPayloadConverter.fromPayload(input)).toMatchObject({ eventId: events.sent.id, ...buyers.sent });
  });

  it('in the API’s and the worker’s logs, which name the events and masked addresses only', () => {
    const logs = [...stack.workers, ...stack.apis].map((p) => p.output()).join('\n');
    for (const event of Object.values(events)) expect(logs).toContain(event.id);
    expect(logs).toContain('a***@example.com');
    expect(leaks(logs)).toEqual([]);
  });

  it('in the ledger’s last_error, which says why with the address masked', async () => {
    // Read by id: findMany returns the rows in whatever order PostgreSQL finds them.
    const rows = await stack.db.stripeEvent.findMany({ where: { id: { in: [events.inactive.id, events.invalid.id] } } });
    const byId = new Map(rows.map((r) => [r.id, r.lastError]));
    expect([byId.get(events.inactive.id), byId.get(events.invalid.id)].join('\n')).toMatch(
      /inactive addresses: b\*\*\*@example\.com[\s\S]*Invalid 'To' address/,
    );
    expect(leaks(JSON.stringify(rows))).toEqual([]);
  });

  it('in ops show and ops list output, human and JSON', async () => {
    const outputs = [];
    for (const event of Object.values(events)) {
      for (const json of [[], ['--json']]) {
        const shown = await ops(['show', event.id, ...json]);
        expect(shown.code).toBe(0);
        outputs.push(shown.output);
      }
    }
    for (const json of [[], ['--json']]) {
      const shown = await ops(['access', 'show', buyers.sent.email, ...json]);
      expect(shown.code).toBe(0);
      expect(shown.output).toContain(sentUserId);
      outputs.push(shown.output);
    }
    const listed = await ops(['list', '--limit', '10']);
    expect(listed.output).toContain(events.sent.id);
    outputs.push(listed.output, (await ops(['list', '--json'])).output);
    const text = outputs.join('\n');
    expect(text).toContain('a***@example.com');
    expect(leaks(text)).toEqual([]);
  });

  it('in the delivery run’s search attributes, while the product got the address of its own user', async () => {
    const run = await stack.temporalClient.workflow.getHandle(accessDeliveryWorkflowId(sentUserId)).describe();
    expect(leaks(JSON.stringify(run.searchAttributes))).toEqual([]);
    expect(product.eventsOf(sentUserId)[0].user).toEqual({ id: sentUserId, email: buyers.sent.email });
  });

  it('in the API’s and the worker’s metrics', async () => {
    const metrics = await Promise.all([apiMetricsUrl, workerMetricsUrl].map((url) => fetch(url).then((r) => r.text())));
    expect(metrics[0]).toContain('stripe_webhook_requests_total');
    expect(metrics[1]).toContain('temporal_');
    expect(leaks(metrics.join('\n'))).toEqual([]);
  });
});

async function deliver(event: object): Promise<void> {
  const body = JSON.stringify(event);
  const response = await fetch(`${stack.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(body, SECRET) },
    body,
  });
  expect(response.status).toBe(200);
}

async function needsAttention(eventId: string): Promise<void> {
  const state = await eventually(
    () =>
      decoding.workflow
        .getHandle(eventId)
        .query(statusQuery)
        .catch(() => null),
    (s) => !!s?.attention,
  );
  if (!state?.attention) throw new Error(`${eventId} never needed attention: ${JSON.stringify(state)}`);
}

/**
 * The encoding of every payload in a history (as JSON), apart from search attributes and headers
 * (never encoded) and the bookkeeping core writes into its own markers (a local activity's
 * `data`: sequence, attempt, times; a patch's id) — a local activity's `result` is counted.
 */
function payloadEncodings(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => payloadEncodings(n, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const encoding = (record.metadata as Record<string, string> | undefined)?.encoding;
    if (typeof encoding === 'string') out.push(Buffer.from(encoding, 'base64').toString());
    else if (typeof record.markerName === 'string' && record.markerName.startsWith('core_'))
      payloadEncodings((record.details as Record<string, unknown> | undefined)?.result, out);
    else
      for (const [key, value] of Object.entries(record)) if (key !== 'searchAttributes' && key !== 'header') payloadEncodings(value, out);
  }
  return out;
}
