import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { rename } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git-ignored folder where missing developer tools are built. */
export const TOOLS_BIN = resolve(__dirname, '../.tools/bin');

interface Tool {
  binary: string;
  /** The name `go install` gives the binary (its package folder) when that is not `binary`; renamed after the build. */
  builtAs?: string;
  /** Environment variable that may name the binary's path. */
  envVar: string;
  /** `go install` target used to build it into TOOLS_BIN when it is nowhere to be found. */
  goPackage: string;
}

export const TEMPORAL_CLI: Tool = {
  binary: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  // v1.6+ cannot be `go install`ed (their go.mod has a replace directive).
  goPackage: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
};

/** The Temporal server release the test suite's cluster and docker-compose.yml run. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

/** The Temporal server (frontend, history, matching and worker services in one process). Only the
 *  cluster suite needs it (`npm run tools -- --cluster`); `npm run dev` runs the CLI's dev server. */
export const TEMPORAL_SERVER: Tool = {
  binary: 'temporal-server',
  builtAs: 'server',
  envVar: 'TEMPORAL_SERVER_PATH',
  goPackage: `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
};

/** The server's schema tool (temporal-sql-tool): creates and migrates its PostgreSQL databases. */
export const TEMPORAL_SQL_TOOL: Tool = {
  binary: 'temporal-sql-tool',
  builtAs: 'sql',
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  goPackage: `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
};

export const STRIPE_MOCK: Tool = {
  binary: 'stripe-mock',
  envVar: 'STRIPE_MOCK_PATH',
  goPackage: 'github.com/stripe/stripe-mock@v0.203.0',
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The tool's path: $ENV_VAR, then PATH, then .tools/bin; undefined when none exists. */
export function findTool(tool: Tool): string | undefined {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const candidates = [
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, tool.binary)),
    join(TOOLS_BIN, tool.binary),
    ...(tool.builtAs ? [join(TOOLS_BIN, tool.builtAs)] : []),
  ];
  return candidates.find(isExecutable);
}

/** Finds the tool or builds it into .tools/bin with `go install` (needs Go and its module proxy). */
export async function ensureTool(tool: Tool, log: (msg: string) => void = () => {}): Promise<string> {
  const found = findTool(tool);
  if (found) return found;
  log(`${tool.binary} not found (${tool.envVar}, PATH, ${TOOLS_BIN}); building ${tool.goPackage} — this takes a few minutes once`);
  try {
    await run('go', ['install', tool.goPackage], { env: { ...process.env, GOBIN: TOOLS_BIN }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`could not build ${tool.binary} with 'go install ${tool.goPackage}': ${(err as Error).message}`);
  }
  if (tool.builtAs) await rename(join(TOOLS_BIN, tool.builtAs), join(TOOLS_BIN, tool.binary));
  return join(TOOLS_BIN, tool.binary);
}

/**
 * The folder of the Temporal server module's PostgreSQL schemas (`temporal/versioned`,
 * `visibility/versioned`), which `temporal-sql-tool update-schema` applies: in Go's module cache,
 * where building the server put it (downloaded now if the binary came from elsewhere).
 */
export async function temporalSchemaDir(): Promise<string> {
  const module = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;
  const { stdout } = await run('go', ['mod', 'download', '-json', module], { maxBuffer: 16 * 1024 * 1024 });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module} did not say where the module is`);
  return join(dir, 'schema/postgresql/v12');
}
