/**
 * `npm run ops -- <command> [options] [--json]`: find, inspect, retry, replay and
 * reconcile fulfillments. Human output by default; `--json` prints one JSON document.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createOpsContext, type OpsContext } from './context';

export interface CommandResult {
  human: string;
  json: unknown;
}

export interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(ctx: OpsContext, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<CommandResult>;
}

const commands: Record<string, () => Promise<Command>> = {
  list: async () => (await import('./commands/list')).list,
  show: async () => (await import('./commands/show')).show,
  retry: async () => (await import('./commands/signal')).retry,
  skip: async () => (await import('./commands/signal')).skip,
  cancel: async () => (await import('./commands/signal')).cancel,
  replay: async () => (await import('./commands/stripe-events')).replay,
  reconcile: async () => (await import('./commands/stripe-events')).reconcile,
};

export async function runCli(argv: string[], ctx: OpsContext = createOpsContext()): Promise<{ code: number; output: string }> {
  const [name, ...rest] = argv;
  const load = name ? commands[name] : undefined;
  if (!load) return { code: name ? 2 : 0, output: await usage(name) };
  const command = await load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false }, ...command.options } });
  } catch (err) {
    return { code: 2, output: `${(err as Error).message}\nusage: npm run ops -- ${command.usage}` };
  }
  const json = parsed.values.json === true;
  try {
    const result = await command.run(ctx, parsed.positionals, parsed.values as Record<string, string | boolean | undefined>);
    return { code: 0, output: json ? JSON.stringify(result.json, null, 2) : result.human };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: 1, output: json ? JSON.stringify({ error: message }) : `error: ${message}` };
  } finally {
    await ctx.close();
  }
}

async function usage(unknown: string | undefined): Promise<string> {
  const lines = [unknown ? `unknown command "${unknown}"` : 'npm run ops -- <command> [--json]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const command = await load();
    lines.push(`  ${command.usage.padEnd(60)} ${command.summary}`);
    void name;
  }
  return lines.join('\n');
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(({ code, output }) => {
    (code === 0 ? process.stdout : process.stderr).write(`${output}\n`);
    process.exitCode = code;
  });
}
