/**
 * A screenshot of one fulfillment's page in the Temporal UI, to show what engineers see of
 * its steps (docs/PERFORMANCE.md): a Sumo purchase runs to completion on its own Temporal
 * dev server, then headless Chromium opens the workflow's history.
 *
 *   npx tsx bench/ui-screenshot.ts docs/temporal-ui-after.png [workflow-bundle.js]
 *
 * The optional bundle is another checkout's dist/workflow-bundle.js (the "before" picture).
 * Needs BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/fulfillment_bench; recreated).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium } from 'playwright-core';
import type { CatalogData } from '../src/catalog/catalog';
import { applyMigrations } from '../src/db/migrate';
import { startLocalPostmark } from '../devstack/local-postmark';
import { checkoutEvent, sumoMetadata } from '../devstack/sample-events';
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { deliverSigned } from '../test/support/deliver-signed';
import { startInProcessService } from '../test/support/stack/in-process-service';
import { recreateDatabase } from '../test/support/recreate-database';
import { bundleWorkflowsFromSource } from '../test/support/workflow-bundle';
import '../test/support/quiet-runtime';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fulfillment_bench';
const SECRET = 'whsec_bench_only';

async function main(): Promise<void> {
  const [out, bundlePath] = process.argv.slice(2);
  if (!out) throw new Error('usage: ui-screenshot.ts <out.png> [workflow-bundle.js]');
  await recreateDatabase(DATABASE_URL, '_bench');
  await applyMigrations(DATABASE_URL);
  const [temporal, postmark] = await Promise.all([startTemporalDevServer({}), startLocalPostmark()]);
  const service = await startInProcessService({
    databaseUrl: DATABASE_URL,
    temporalAddress: temporal.address,
    taskQueue: 'ui-screenshot',
    webhookSecret: SECRET,
    catalog: JSON.parse(readFileSync('config/catalog.json', 'utf8')) as CatalogData,
    stripeApiBase: 'http://127.0.0.1:9',
    postmarkUrl: postmark.url,
    workflowBundle: bundlePath ? { codePath: resolve(bundlePath) } : await bundleWorkflowsFromSource(),
  });
  const browser = await chromium.launch({
    executablePath: await Chromium.executablePath(),
    args: Chromium.args.filter((arg) => arg !== '--single-process'),
  });
  try {
    const event = checkoutEvent({ metadata: sumoMetadata({ tierId: 'sumo_tier_2', quantity: '3' }) });
    await deliverSigned(service.app, event, SECRET);
    await service.client.workflow.getHandle(event.id).result();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows/${event.id}`);
    await page.getByText('Completed', { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.getByText('sendWelcomeEmail', { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(2_000);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`${out}: ${event.id}`);
  } finally {
    await browser.close();
    await service.close();
    await Promise.allSettled([temporal.stop(), postmark.close()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
