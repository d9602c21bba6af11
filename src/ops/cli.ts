/**
 * `npm run ops -- <command> [options] [--json]`: find, inspect, retry, replay and
 * reconcile fulfillments. Human output by default; `--json` prints one JSON document.
 */
import { parseArgs } from 'node:util';
import type { Command } from './command';
import { access } from './commands/access';
import { emails } from './commands/emails';
import { list } from './commands/list';
import { show } from './commands/show';
import { cancel, retry, skip } from './commands/operator-request';
import { reconcile, replay } from './commands/stripe-events';
import { createOpsContext, type OpsContext } from './context';

const commands: Record<string, Command> = { list, show, retry, skip, cancel, replay, reconcile, emails, access };

export async function runCli(argv: string[], ctx: OpsContext = createOpsContext()): Promise<{ code: number; output: string }> {
  const [name, ...rest] = argv;
  const command = name && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return { code: name ? 2 : 0, output: usage(name) };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false }, ...command.options } });
  } catch (err) {
    return { code: 2, output: `${(err as Error).message}\nusage: npm run ops -- ${command.usage}` };
  }
  const json = parsed.values.json === true;
  try {
    const result = await command.run(ctx, parsed.positionals, parsed.values);
    return { code: result.code ?? 0, output: json ? JSON.stringify(result.json, null, 2) : result.human };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: 1, output: json ? JSON.stringify({ error: message }) : `error: ${message}` };
  } finally {
    await ctx.close();
  }
}

function usage(unknown: string | undefined): string {
  const lines = [unknown ? `unknown command "${unknown}"` : 'npm run ops -- <command> [--json]', '', 'commands:'];
  for (const command of Object.values(commands)) lines.push(`  ${command.usage.padEnd(60)} ${command.summary}`);
  return lines.join('\n');
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then(({ code, output }) => {
    (code === 0 ? process.stdout : process.stderr).write(`${output}\n`);
    process.exitCode = code;
  });
}
