import type { ParseArgsConfig } from 'node:util';
import type { OpsContext } from './context';

/** What a command prints: `human` by default, `json` with --json. */
export interface CommandResult {
  human: string;
  json: unknown;
  /** The exit code; 0 unless set (a refused operator request exits 1 with its answer). */
  code?: number;
}

/** One `npm run ops -- <name>` command. */
export interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(ctx: OpsContext, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<CommandResult>;
}
