import type { ParseArgsConfig } from 'node:util';
import type { OpsContext } from './context';

/** What a command prints: `human` by default, `json` with --json. */
export interface CommandResult {
  human: string;
  json: unknown;
}

/** One `npm run ops -- <name>` command. */
export interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(ctx: OpsContext, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<CommandResult>;
}
