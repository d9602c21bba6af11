import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startInProcessService } from '../../support/in-process-service';
import { startLocalPostmark, type LocalPostmark } from '../../../src/dev/local-postmark';
import { checkoutEvent, sumoMetadata } from '../../../src/dev/sample-events';
import { startTemporalDevServer, type TemporalDevServer } from '../../../src/dev/temporal-dev-server';
import { SHIPPED_CATALOG, WEBHOOK_SECRET } from '../../support/harness';
import { testEnv } from '../../support/test-env';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { fromRoot } from '../../support/paths';

const ARTIFACTS = fromRoot('test-artifacts');

let temporal: TemporalDevServer;
let postmark: LocalPostmark;
let service: Awaited<ReturnType<typeof startInProcessService>>;
let browser: Browser;

beforeAll(async () => {
  [temporal, postmark] = await Promise.all([startTemporalDevServer({}), startLocalPostmark()]);
  service = await startInProcessService({
    databaseUrl: testEnv.databaseUrl,
    temporalAddress: temporal.address,
    taskQueue: 'ui-check',
    webhookSecret: WEBHOOK_SECRET,
    catalog: SHIPPED_CATALOG,
    stripeApiBase: testEnv.stripeApiBase,
    postmarkUrl: postmark.url,
    workflowBundle: { codePath: testEnv.workflowBundlePath },
  });
  // A headless Chromium shipped inside the @sparticuz/chromium npm package: no system browser
  // needed. Its args are tuned for one-page serverless runs; without --single-process, closing a
  // page leaves the browser up for the next test.
  const args = Chromium.args.filter((arg) => arg !== '--single-process');
  browser = await chromium.launch({ executablePath: await Chromium.executablePath(), args });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await Promise.allSettled([temporal?.stop(), postmark?.close()]);
});

describe('the Temporal UI, in a real browser', () => {
  it('finds a fulfillment by its Stripe event id and shows it completed, with its activities', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3' }) });
    const response = await deliverSigned(service.app, event, WEBHOOK_SECRET);
    expect(response.statusCode).toBe(200);
    await service.client.workflow.getHandle(event.id).result();
    const history = await service.client.workflow.getHandle(event.id).fetchHistory();
    // The database steps run as local activities (markers in the history), the email as an activity task: both by name.
    const localStep = (data: Uint8Array | null | undefined) =>
      (JSON.parse(Buffer.from(data ?? []).toString()) as { activity_type: string }).activity_type;
    const activities = [
      ...new Set(
        history.events!.flatMap((e) =>
          e.markerRecordedEventAttributes?.markerName === 'core_local_activity'
            ? localStep(e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data)
            : (e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
        ),
      ),
    ];
    expect(activities).toEqual(expect.arrayContaining(['resolvePurchase', 'findOrCreateUser', 'provisionAccess', 'sendWelcomeEmail']));

    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    // As on call would: the workflow list, filtered by the event id.
    const query = encodeURIComponent(`WorkflowId="${event.id}"`);
    const link = page.getByRole('link', { name: event.id }).first();
    if (!(await listShows(page, query, link))) throw new Error(`the workflow list never showed ${event.id}`);
    await link.click();

    await page.getByText(event.id).first().waitFor({ timeout: 60_000 });
    await page.getByText('Completed', { exact: false }).first().waitFor({ timeout: 60_000 });
    for (const name of activities) await page.getByText(name, { exact: false }).first().waitFor({ timeout: 60_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-workflow.png'), fullPage: false });
    if (process.env.UPDATE_SCREENSHOTS === '1')
      await page.screenshot({ path: fromRoot('docs/temporal-ui-fulfillment.png'), fullPage: false });
    await page.close();
  }, 180_000);
});

describe('a stuck fulfillment in the Temporal UI', () => {
  it('is listed by FulfillmentStatus="NeedsAttention" and its page says which step failed and what to run', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_404' }) });
    await deliverSigned(service.app, event, WEBHOOK_SECRET);

    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    const query = encodeURIComponent(`FulfillmentStatus="NeedsAttention" AND WorkflowId="${event.id}"`);
    const link = page.getByRole('link', { name: event.id }).first();
    if (!(await listShows(page, query, link))) throw new Error(`the NeedsAttention list never showed ${event.id}`);
    await link.click();
    await page.getByText('resolvePurchase', { exact: false }).first().waitFor({ timeout: 60_000 });
    try {
      await page.getByText('User Metadata', { exact: true }).first().click(); // the run's current details
      // The UI renders the details' markdown in a sandboxed iframe.
      const details = page.frameLocator('iframe').last();
      await details
        .getByText(/Needs attention/)
        .first()
        .waitFor({ timeout: 20_000 });
      await details
        .getByText(/sumo_tier_404/)
        .first()
        .waitFor({ timeout: 20_000 });
      await details.getByText(`npm run ops -- retry ${event.id}`, { exact: false }).first().waitFor({ timeout: 20_000 });
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-needs-attention-FAILED.png'), fullPage: true });
      throw err;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-needs-attention.png') });
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: fromRoot('docs/temporal-ui-needs-attention.png') });
    await page.close();
  }, 180_000);
});

/** Opens the workflow list filtered by `query` until it shows `link`: visibility can lag a run
 *  by a moment, and the list does not refresh by itself. */
function listShows(page: Page, query: string, link: Locator): Promise<boolean> {
  const load = async () => {
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows?query=${query}`);
    return link.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
  };
  return eventually(load, (shown) => shown, { timeoutMs: 60_000, intervalMs: 0 });
}
