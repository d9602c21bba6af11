import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadWorkerConfig } from '../../../src/config';
import { ensureTool, TEMPORAL_CLI } from '../../../devstack/tools';
import { runCli } from '../../../src/ops/cli';
import { createOpsContext } from '../../../src/ops/context';
import { testEnv } from '../../support/test-env';

const run = promisify(execFile);

/**
 * One TOML connection profile (Temporal's environment configuration) reaches the same server from
 * the worker's configuration, `ops` and the `temporal` CLI: an on-call engineer sets
 * TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE once.
 */
const dir = mkdtempSync(join(tmpdir(), 'connection-profile-'));
const toml = join(dir, 'temporal.toml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  writeFileSync(
    toml,
    [
      '[profile.service]',
      `address = "${testEnv.temporalAddress}"`,
      'namespace = "default"',
      '[profile.unreachable]',
      'address = "127.0.0.1:1"',
    ].join('\n'),
  );
});

describe('one connection profile', () => {
  const profile = (name: string) => ({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: name });

  it('the worker, ops and the temporal CLI all reach the server the profile names', async () => {
    const worker = loadWorkerConfig({
      DATABASE_URL: testEnv.databaseUrl,
      STRIPE_SECRET_KEY: 'sk_test_x',
      POSTMARK_SERVER_TOKEN: 't',
      POSTMARK_FROM: 'a@b.c',
      ...profile('service'),
    });
    expect(worker.TEMPORAL_ADDRESS).toBe(testEnv.temporalAddress);

    const ops = await runCli(
      ['list', '--limit', '1', '--json'],
      createOpsContext({ DATABASE_URL: testEnv.databaseUrl, ...profile('service') }),
    );
    expect(ops.code).toBe(0);

    const cli = await ensureTool(TEMPORAL_CLI);
    const env = { PATH: process.env.PATH ?? '', HOME: dir, ...profile('service') };
    const { stdout } = await run(cli, ['workflow', 'list', '--limit', '1', '-o', 'json'], { env });
    expect(Array.isArray(JSON.parse(stdout || '[]'))).toBe(true);
  });

  it('the temporal CLI follows the profile (an unreachable one fails)', async () => {
    const cli = await ensureTool(TEMPORAL_CLI);
    const env = { PATH: process.env.PATH ?? '', HOME: dir, ...profile('unreachable') };
    await expect(run(cli, ['workflow', 'list', '--limit', '1', '--command-timeout', '3s'], { env })).rejects.toThrow(
      /127\.0\.0\.1:1|connection|deadline/i,
    );
  });
});
