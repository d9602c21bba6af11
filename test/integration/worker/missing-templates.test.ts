import { randomUUID } from 'node:crypto';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { DEFAULT_TEMPLATE_ALIASES } from '../../../src/emails';
import { pushTemplates } from '../../../src/emails/postmark-templates';
import { startWorkerProcess, type ServiceParts } from '../../support/stack/service-processes';
import { testEnv } from '../../support/test-env';

let postmark: LocalPostmark;
beforeAll(async () => {
  postmark = await startLocalPostmark({ templates: 'none' });
});
afterAll(() => postmark.close());

describe('the worker and the Postmark templates it sends', () => {
  it('refuses to start, naming the alias, while the Postmark server lacks a template; starts once they are pushed', async () => {
    const parts: ServiceParts = {
      databaseUrl: testEnv.databaseUrl,
      temporalAddress: testEnv.temporalAddress,
      taskQueue: `templates-${randomUUID()}`,
      postmarkUrl: postmark.url,
    };
    const client = createPostmarkClient('local-postmark-token', postmark.url);
    await pushTemplates(client, DEFAULT_TEMPLATE_ALIASES);
    await client.deleteTemplate('purchase-confirmation');

    const refused = startWorkerProcess(parts);
    await expect(refused).rejects.toThrow(/worker exited \(1\) before it was ready/);
    await expect(refused).rejects.toThrow(/Postmark template "purchase-confirmation" .* missing in the configured Postmark server/);
    await expect(refused).rejects.toThrow(/npm run ops -- emails push/);

    await pushTemplates(client, DEFAULT_TEMPLATE_ALIASES);
    const worker = await startWorkerProcess(parts);
    expect(worker.output()).toMatch(/worker polling/);
    await worker.stop();
  }, 120_000);
});
