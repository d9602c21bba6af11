import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { EncryptionCodec, payloadDataConverter } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { tracingSinks } from '../../../src/worker/build-worker';
import { encodeHistoryJson } from '../../support/encrypt-history';
import '../../support/quiet-runtime';
import { bundleWorkflowsFromSource } from '../../support/workflow-bundle';
import { fromRoot } from '../../support/paths';

const dir = fromRoot('test/fixtures/histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

let bundle: { code: string };
let traced: { code: string };
beforeAll(async () => {
  [bundle, traced] = await Promise.all([bundleWorkflowsFromSource(), bundleWorkflowsFromSource({ traced: true })]);
}, 120_000);

/**
 * Recorded histories of real fulfillments (scripts/record-histories.ts) replayed against
 * today's workflow code: a change that would break running workflows fails here.
 */
describe('workflow determinism', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('replays %s without a non-determinism error', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, sinks: tracingSinks() }, history, file)).resolves.toBeUndefined();
  });

  // A worker with tracing on runs the bundle with OpenTelemetry's interceptors; turning tracing on
  // or off across a deploy must not break the runs in flight.
  it.each(files)('replays %s on the traced bundle too', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: traced, sinks: tracingSinks() }, history, file)).resolves.toBeUndefined();
  });
});

/**
 * The same histories as a worker with PAYLOAD_KEYS would have recorded them (every payload
 * encrypted): the worker's data converter decrypts them on the main thread before the
 * workflow code sees them.
 */
describe('workflow determinism with payload encryption', () => {
  const keys = parsePayloadKeys(`replay:${randomBytes(32).toString('base64')}`);
  const JSON_PLAIN = Buffer.from('json/plain').toString('base64');
  const encryptedJson = async (file: string) =>
    JSON.stringify(await encodeHistoryJson(JSON.parse(readFileSync(join(dir, file), 'utf8')), new EncryptionCodec(keys)));
  const encrypted = async (file: string) => historyFromJSON(JSON.parse(await encryptedJson(file)));

  it('encrypts every payload of the recorded histories it replays', async () => {
    expect(readFileSync(join(dir, files[0]), 'utf8')).toContain(JSON_PLAIN);
    for (const file of files) {
      // Core's own marker bookkeeping (a local activity's `data`) is never a codec's to encode, nor is
      // a header: the client's tracing interceptor puts the trace context there (`_tracer-data`, `{}`
      // while tracing is off), which the SDK sends as it is; it names no one.
      const outsideSearchAttributes = JSON.stringify(JSON.parse(await encryptedJson(file)), (key, value: unknown) =>
        key === 'searchAttributes' || key === 'data' || key === 'header' ? (typeof value === 'string' ? value : undefined) : value,
      );
      expect(outsideSearchAttributes.includes(JSON_PLAIN)).toBe(false);
    }
  });

  it.each(files)('replays %s, encrypted, through the payload codec', async (file) => {
    const history = await encrypted(file);
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, sinks: tracingSinks(), dataConverter: payloadDataConverter(keys) }, history, file),
    ).resolves.toBeUndefined();
  });

  it('cannot replay an encrypted history without the keys', async () => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, sinks: tracingSinks() }, await encrypted(files[0]), files[0]),
    ).rejects.toThrow();
  });
});
