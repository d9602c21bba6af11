import { Errors, type ServerClient } from 'postmark';
import { withAliases, type TemplateAliases } from './index';

export interface PushedTemplate {
  alias: string;
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  templateId: number;
}

/** The aliases of every template the Postmark server holds. */
async function serverAliases(postmark: ServerClient): Promise<Map<string, number>> {
  const aliases = new Map<string, number>();
  for (let offset = 0; ; offset += 500) {
    const page = await postmark.getTemplates({ count: 500, offset });
    for (const t of page.Templates) if (t.Alias) aliases.set(t.Alias, t.TemplateId);
    if (page.Templates.length < 500 || offset + 500 >= page.TotalCount) return aliases;
  }
}

/**
 * Creates or updates each of the repository's templates in the Postmark server, by alias
 * (`npm run ops -- emails push`). A template whose content already matches is left alone.
 */
export async function pushTemplates(postmark: ServerClient, aliases: TemplateAliases): Promise<PushedTemplate[]> {
  const existing = await serverAliases(postmark);
  const pushed: PushedTemplate[] = [];
  for (const { template, alias } of withAliases(aliases)) {
    const content = { Name: template.name, Subject: template.subject, HtmlBody: template.htmlBody, TextBody: template.textBody };
    const id = existing.get(alias);
    if (id === undefined) {
      const created = await postmark.createTemplate({ ...content, Alias: alias });
      pushed.push({ alias, name: template.name, action: 'created', templateId: created.TemplateId });
      continue;
    }
    const current = await postmark.getTemplate(alias);
    const same =
      current.Name === content.Name &&
      current.Subject === content.Subject &&
      (current.HtmlBody ?? '') === content.HtmlBody &&
      (current.TextBody ?? '') === content.TextBody;
    if (!same) await postmark.editTemplate(alias, content);
    pushed.push({ alias, name: template.name, action: same ? 'unchanged' : 'updated', templateId: id });
  }
  return pushed;
}

/** The worker cannot send without this template: push the templates first. */
export class MissingTemplateError extends Error {}

/**
 * Refuses (MissingTemplateError, naming the alias) when a template the worker sends is missing
 * from the configured Postmark server, or when Postmark refuses the token. When Postmark cannot
 * be reached the worker starts anyway (`unreachable` says why): an email outage must not stop
 * fulfillment, whose email steps retry.
 */
export async function checkTemplates(postmark: ServerClient, aliases: TemplateAliases): Promise<{ unreachable: string | null }> {
  let present: Map<string, number>;
  try {
    present = await serverAliases(postmark);
  } catch (err) {
    if (err instanceof Errors.InvalidAPIKeyError) {
      throw new MissingTemplateError(`Postmark refused POSTMARK_SERVER_TOKEN while listing templates: ${err.message}`);
    }
    return { unreachable: err instanceof Error ? err.message : String(err) };
  }
  const missing = withAliases(aliases).filter(({ alias }) => !present.has(alias));
  if (missing.length > 0) {
    const names = missing.map(({ alias, template }) => `"${alias}" (${template.name})`).join(', ');
    throw new MissingTemplateError(
      `Postmark template ${names} missing in the configured Postmark server; create ${missing.length > 1 ? 'them' : 'it'} with \`npm run ops -- emails push\``,
    );
  }
  return { unreachable: null };
}
