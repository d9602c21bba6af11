import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { buildCodecApp } from '../../../src/codec/codec-app';
import { freePort } from '../../../devstack/free-port';
import { EncryptionCodec } from '../../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { startInProcessService } from '../../support/stack/in-process-service';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { checkoutEvent, sumoMetadata } from '../../../devstack/sample-events';
import { startTemporalDevServer, type TemporalDevServer } from '../../../devstack/temporal-dev-server';
import { SHIPPED_CATALOG, WEBHOOK_SECRET } from '../../support/harness';
import { testEnv } from '../../support/test-env';
import { deliverSigned } from '../../support/deliver-signed';
import { eventually } from '../../support/eventually';
import { fromRoot } from '../../support/paths';

const ARTIFACTS = fromRoot('test-artifacts');

const PAYLOAD_KEYS = `ui-test:${randomBytes(32).toString('base64')}`;
const CODEC_TOKEN = randomBytes(24).toString('base64url');

let temporal: TemporalDevServer;
let postmark: LocalPostmark;
let service: Awaited<ReturnType<typeof startInProcessService>>;
let codec: Awaited<ReturnType<typeof buildCodecApp>>;
let codecUrl: string;
let browser: Browser;
/** An engineer's browser: signed in to the codec server, the UI told to send its cookie. */
let engineer: BrowserContext;

beforeAll(async () => {
  // Payloads are encrypted; the UI decodes them through the codec server, as `npm run dev` wires it.
  const [uiPort, codecPort] = await Promise.all([freePort(), freePort()]);
  codecUrl = `http://127.0.0.1:${codecPort}/codec`;
  codec = await buildCodecApp({
    codec: new EncryptionCodec(parsePayloadKeys(PAYLOAD_KEYS)),
    authToken: CODEC_TOKEN,
    corsOrigins: [`http://127.0.0.1:${uiPort}`],
  });
  await codec.listen({ port: codecPort, host: '127.0.0.1' });
  [temporal, postmark] = await Promise.all([startTemporalDevServer({ uiPort, uiCodecEndpoint: codecUrl }), startLocalPostmark()]);
  service = await startInProcessService({
    payloadKeys: PAYLOAD_KEYS,
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
  engineer = await signedInBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await Promise.allSettled([temporal?.stop(), postmark?.close(), codec?.close()]);
});

/**
 * The UI cannot send a bearer token of ours (only its own login's access token), but it sends
 * cookies when "Include cross-origin credentials" is ticked in its Codec Server settings: the
 * engineer signs in once at the codec server's /codec/login, and ticks it (the UI keeps that
 * setting in localStorage, which is what this sets).
 */
async function signedInBrowser(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
  await context.addInitScript((endpoint) => {
    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    localStorage.setItem('endpoint', JSON.stringify(endpoint));
    localStorage.setItem('includeCredentials', 'true');
  }, codecUrl);
  const page = await context.newPage();
  await page.goto(`${codecUrl}/login`);
  await page.locator('input[name=token]').fill(CODEC_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in.').waitFor({ timeout: 10_000 });
  await page.close();
  return context;
}

describe('encrypted payloads in the Temporal UI', () => {
  it('shows the input decoded to an engineer signed in to the codec server, and encrypted to a browser without the codec', async () => {
    const email = `ui.codec.${Date.now()}@example.com`;
    const event = checkoutEvent({ email, name: 'Grace Hopper', metadata: sumoMetadata({ tierId: 'sumo_tier_2' }) });
    expect((await deliverSigned(service.app, event, WEBHOOK_SECRET)).statusCode).toBe(200);
    await service.client.workflow.getHandle(event.id).result();
    const workflowPage = `${temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(event.id)}`;
    mkdirSync(ARTIFACTS, { recursive: true });

    const decoded = await engineer.newPage();
    await decoded.goto(workflowPage);
    try {
      await decoded.getByText(email, { exact: false }).first().waitFor({ timeout: 60_000 });
      await decoded.getByText('Grace Hopper', { exact: false }).first().waitFor({ timeout: 10_000 });
    } finally {
      await decoded.screenshot({ path: join(ARTIFACTS, 'temporal-ui-decoded.png') });
      await decoded.close();
    }

    // A browser without the codec (its Codec Server setting overridden with none): the same page shows only ciphertext.
    const plain = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
    await plain.addInitScript(() => localStorage.setItem('overrideRemoteCodecConfiguration', 'true'));
    const encrypted = await plain.newPage();
    await encrypted.goto(workflowPage);
    try {
      // The UI prints an undecodable payload as it is: metadata base64 ("binary/encrypted", the key id), data ciphertext.
      await encrypted.getByText(Buffer.from('binary/encrypted').toString('base64'), { exact: false }).first().waitFor({ timeout: 60_000 });
      await encrypted.getByText(event.id).first().waitFor({ timeout: 10_000 });
      const html = await encrypted.content();
      expect(html).not.toContain(email);
      expect(html).not.toContain('Grace Hopper');
    } finally {
      await encrypted.screenshot({ path: join(ARTIFACTS, 'temporal-ui-encrypted.png') });
      if (process.env.UPDATE_SCREENSHOTS === '1') await encrypted.screenshot({ path: fromRoot('docs/temporal-ui-encrypted.png') });
      await plain.close();
    }
  }, 180_000);
});

describe('the Temporal UI, in a real browser', () => {
  it('finds a fulfillment by its Stripe event id and shows it completed, with its activities', async () => {
    const event = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3' }) });
    const response = await deliverSigned(service.app, event, WEBHOOK_SECRET);
    expect(response.statusCode).toBe(200);
    await service.client.workflow.getHandle(event.id).result();
    const history = await service.client.workflow.getHandle(event.id).fetchHistory();
    // The steps run as local activities (markers in the history), each shown by name; an activity task (none here) too.
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

    const page = await engineer.newPage();
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

    const page = await engineer.newPage();
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
