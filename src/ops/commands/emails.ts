import type { Command } from '../command';
import { pushTemplates } from '../../emails/postmark-templates';

/** `emails push`: the repository's templates (src/emails) into the configured Postmark server, by alias. */
export const emails: Command = {
  summary: 'push: create or update the email templates (src/emails) in Postmark by alias',
  usage: 'emails push',
  async run(ctx, [verb]) {
    if (verb !== 'push') throw new Error('usage: npm run ops -- emails push');
    const pushed = await pushTemplates(ctx.postmark, ctx.templateAliases);
    const lines = pushed.map((t) => `  ${t.action.padEnd(9)} ${t.alias.padEnd(24)} ${t.name} (template ${t.templateId})`);
    return { human: [`Postmark templates (${pushed.length}):`, ...lines].join('\n'), json: { templates: pushed } };
  },
};
