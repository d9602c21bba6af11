import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPostmarkClient } from '../../../src/clients/postmark';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { DEFAULT_TEMPLATE_ALIASES, EMAIL_TEMPLATES } from '../../../src/emails';
import { pushTemplates } from '../../../src/emails/postmark-templates';
import { fromRoot } from '../../support/paths';

const ARTIFACTS = fromRoot('test-artifacts');

let postmark: LocalPostmark;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Empty, then filled as `npm run dev` fills it: by pushing the repository's templates.
  postmark = await startLocalPostmark({ templates: 'none' });
  const client = createPostmarkClient('local-dev-token', postmark.url);
  await pushTemplates(client, DEFAULT_TEMPLATE_ALIASES);
  // Each email the service sends, with its template's example model, through the real client.
  for (const template of EMAIL_TEMPLATES) {
    await client.sendEmailWithTemplate({
      From: 'hello@saas.example',
      To: 'ada@example.com',
      TemplateAlias: DEFAULT_TEMPLATE_ALIASES[template.key],
      TemplateModel: template.example,
      Tag: template.key,
    });
  }
  const args = Chromium.args.filter((arg) => arg !== '--single-process');
  browser = await chromium.launch({ executablePath: await Chromium.executablePath(), args });
  page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await postmark?.close();
});

describe("the local outbox in a browser (npm run dev's /outbox)", () => {
  it('shows each sent email rendered as the buyer sees it, newest first', async () => {
    await page.goto(`${postmark.url}/outbox`);
    await expect(page.title()).resolves.toBe('Local outbox (4)');

    const subjects = await page.locator('.email .subject').allInnerTexts();
    expect(subjects.map((s) => s.split('\n')[0])).toEqual([
      expect.stringMatching(/^Your Pro payment did not go through/),
      expect.stringMatching(/^Your Pro purchase is not active/),
      expect.stringMatching(/^Your Pro purchase is active/),
      expect.stringMatching(/^Welcome aboard, Ada Lovelace/),
    ]);

    // Inside each email's frame: the rendered body, no template syntax left.
    const bodies = await Promise.all([0, 1, 2, 3].map((i) => page.frameLocator('.email iframe').nth(i).locator('body').innerText()));
    for (const body of bodies) expect(body).not.toMatch(/\{\{|\}\}/);
    expect(bodies[0]).toMatch(/we could not collect \$49\.00 \(USD\) for your Pro subscription/);
    await expect(
      page.frameLocator('.email iframe').nth(0).getByRole('link', { name: 'Update payment and pay' }).getAttribute('href'),
    ).resolves.toBe('https://invoice.stripe.com/i/acct_example/inv_example');
    expect(bodies[0]).toMatch(/We will try again on 9 December 2026\./);
    expect(bodies[1]).toMatch(/it is not active: the subscription was cancelled\. No access was granted\./);
    expect(bodies[2]).toMatch(/Plan\s+Pro/);
    expect(bodies[2]).toMatch(/Seats\s+10/);
    expect(bodies[2]).toMatch(/Lifetime \(one-time payment\)/);
    expect(bodies[3]).toMatch(/Welcome, Ada Lovelace!/);
    expect(bodies[3]).toMatch(/Sign in with ada@example\.com/);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = process.env.UPDATE_SCREENSHOTS === '1' ? fromRoot('docs/outbox-rendered.png') : join(ARTIFACTS, 'outbox-rendered.png');
    await page.screenshot({ path: shot, fullPage: true });
  });

  it('keeps the JSON outbox for scripts and tests (no Accept: text/html)', async () => {
    const listed = (await (await fetch(`${postmark.url}/outbox`)).json()) as Array<{ subject: string; serverToken?: string }>;
    expect(listed.map((m) => m.subject)).toEqual([
      'Welcome aboard, Ada Lovelace',
      'Your Pro purchase is active',
      'Your Pro purchase is not active',
      'Your Pro payment did not go through',
    ]);
    expect(listed.every((m) => m.serverToken === undefined)).toBe(true);
  });
});
