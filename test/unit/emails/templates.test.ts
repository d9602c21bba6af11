import { Errors, ServerClient } from 'postmark';
import { startLocalPostmark, type LocalPostmark } from '../../../devstack/local-postmark';
import { renderTemplate } from '../../../devstack/mustachio';
import { DEFAULT_TEMPLATE_ALIASES, EMAIL_TEMPLATES } from '../../../src/emails';
import { checkTemplates, MissingTemplateError } from '../../../src/emails/postmark-templates';
import { runCli } from '../../../src/ops/cli';
import { offlineOpsContext } from '../../support/ops-context';

const TOKEN = 'local-postmark-token';

/** The ops context `emails push` needs: a Postmark server and the aliases; nothing else is reachable. */
const opsContext = (postmark: ServerClient, aliases = DEFAULT_TEMPLATE_ALIASES) =>
  offlineOpsContext({ postmark, templateAliases: aliases });

describe('the email templates in the repository', () => {
  it.each(EMAIL_TEMPLATES.map((t) => [t.key, t] as const))('%s renders its example model completely', (_key, template) => {
    for (const [source, html] of [
      [template.subject, false],
      [template.htmlBody, true],
      [template.textBody, false],
    ] as const) {
      const rendered = renderTemplate(source, template.example, { html });
      expect(rendered).not.toMatch(/\{\{|\}\}/);
    }
    // Every field of the model shows up somewhere a buyer reads (booleans choose wording instead).
    const text = renderTemplate(template.textBody, template.example, { html: false });
    for (const [field, value] of Object.entries(template.example)) {
      if (typeof value === 'boolean' || value === '') continue;
      const shown = Array.isArray(value) ? value : [value];
      for (const v of shown) expect({ field, found: text.includes(String(v)) }).toEqual({ field, found: true });
    }
  });

  it('the confirmation says which term was bought: lifetime, or a renewing subscription', () => {
    const template = EMAIL_TEMPLATES.find((t) => t.key === 'confirmation')!;
    const lifetime = renderTemplate(template.textBody, { ...template.example, lifetime: true }, { html: false });
    const subscription = renderTemplate(template.textBody, { ...template.example, lifetime: false, addons: [] }, { html: false });
    expect(lifetime).toMatch(/Lifetime \(one-time payment\)/);
    expect(subscription).toMatch(/Subscription, renews automatically/);
    expect(subscription).not.toMatch(/Add-on/);
  });

  it('the not-active email says why nothing is active, and nowhere that anything is', () => {
    const template = EMAIL_TEMPLATES.find((t) => t.key === 'notActive')!;
    for (const lifetime of [true, false]) {
      const model = { ...template.example, lifetime, reason: 'the payment was refunded' };
      for (const [source, html] of [
        [template.subject, false],
        [template.htmlBody, true],
        [template.textBody, false],
      ] as const) {
        expect(renderTemplate(source, model, { html })).not.toMatch(
          /is active|account is ready|added to your account|renews automatically/i,
        );
      }
      expect(renderTemplate(template.textBody, model, { html: false })).toMatch(
        /it is not active: the payment was refunded\. No access was granted/,
      );
    }
  });

  it('escapes what a buyer typed (their name) in the HTML part', () => {
    const welcome = EMAIL_TEMPLATES.find((t) => t.key === 'welcome')!;
    const html = renderTemplate(welcome.htmlBody, { name: '<script>x</script>', email: 'a@example.com' }, { html: true });
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});

describe('npm run ops -- emails push, against the local Postmark', () => {
  let postmark: LocalPostmark;
  let client: ServerClient;

  beforeEach(async () => {
    postmark = await startLocalPostmark({ templates: 'none' });
    client = new ServerClient(TOKEN, { requestHost: postmark.requestHost, useHttps: false, timeout: 5 });
  });
  afterEach(() => postmark.close());

  it('creates every template by alias in an empty server; a second push changes nothing', async () => {
    const first = await runCli(['emails', 'push', '--json'], opsContext(client));
    expect(first.code).toBe(0);
    expect(JSON.parse(first.output).templates.map((t: { alias: string; action: string }) => [t.alias, t.action])).toEqual([
      ['welcome', 'created'],
      ['purchase-confirmation', 'created'],
      ['purchase-not-active', 'created'],
      ['payment-failed', 'created'],
    ]);
    const listed = await client.getTemplates({ count: 100, offset: 0 });
    expect(listed.Templates.map((t) => t.Alias).sort()).toEqual([
      'payment-failed',
      'purchase-confirmation',
      'purchase-not-active',
      'welcome',
    ]);
    const confirmation = await client.getTemplate('purchase-confirmation');
    expect(confirmation).toMatchObject({ Subject: 'Your {{plan}} purchase is active', Active: true });

    const second = await runCli(['emails', 'push'], opsContext(client));
    expect(second.output).toMatch(/unchanged\s+welcome/);
    expect(second.output).not.toMatch(/created|updated/);
  });

  it('updates a template someone edited in Postmark back to the repository version', async () => {
    await runCli(['emails', 'push'], opsContext(client));
    await client.editTemplate('welcome', { Subject: 'Edited by hand' });

    const pushed = await runCli(['emails', 'push'], opsContext(client));
    expect(pushed.output).toMatch(/updated\s+welcome/);
    expect((await client.getTemplate('welcome')).Subject).toBe(EMAIL_TEMPLATES[0].subject);
  });

  it('pushes under configured aliases, and the worker check then passes for them', async () => {
    const aliases = { welcome: 'hello-v2', confirmation: 'thanks-v2', notActive: 'not-active-v2', paymentFailed: 'dunning-v2' };
    await expect(checkTemplates(client, aliases)).rejects.toThrow(/"hello-v2".*"thanks-v2".*"not-active-v2".*"dunning-v2"/);

    await runCli(['emails', 'push'], opsContext(client, aliases));
    await expect(checkTemplates(client, aliases)).resolves.toEqual({ unreachable: null });
  });

  it('the worker check names the one alias the server lacks', async () => {
    await runCli(['emails', 'push'], opsContext(client));
    await client.deleteTemplate('purchase-confirmation');

    const checking = checkTemplates(client, DEFAULT_TEMPLATE_ALIASES);
    await expect(checking).rejects.toBeInstanceOf(MissingTemplateError);
    await expect(checking).rejects.toThrow(
      /^Postmark template "purchase-confirmation" \(Purchase confirmation \(existing account\)\) missing/,
    );
  });

  it('a send to a template the server lacks is refused as Postmark refuses it (422, ErrorCode 1101)', async () => {
    const sending = client.sendEmailWithTemplate({
      From: 'a@saas.example',
      To: 'b@example.com',
      TemplateAlias: 'welcome',
      TemplateModel: {},
    });
    await expect(sending).rejects.toBeInstanceOf(Errors.ApiInputError);
    await expect(sending).rejects.toMatchObject({ code: 1101, statusCode: 422 });
    expect(postmark.outbox).toHaveLength(0);
  });

  it('refuses a template whose sections do not close, as Postmark refuses invalid content', async () => {
    const creating = client.createTemplate({ Name: 'Broken', Alias: 'broken', Subject: 'Hi', HtmlBody: '{{#each items}}<li>{{.}}</li>' });
    await expect(creating).rejects.toMatchObject({ statusCode: 422 });
    expect(postmark.templates()).toHaveLength(0);
  });

  it('starts an unreachable check without refusing: an email outage must not stop fulfillment', async () => {
    await postmark.close();
    await expect(checkTemplates(client, DEFAULT_TEMPLATE_ALIASES)).resolves.toEqual({ unreachable: expect.any(String) });
    postmark = await startLocalPostmark({ templates: 'none' }); // for afterEach
  });
});
