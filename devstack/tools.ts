import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Git-ignored folder where missing developer tools are built. */
export const TOOLS_BIN = resolve(__dirname, '../.tools/bin');

interface Tool {
  binary: string;
  /**
   * The name `go install` gives the binary (its package folder) when that is not `binary`. Several
   * tools are built as `server`, so such a tool is built into a folder of its own and moved to
   * `binary` in TOOLS_BIN.
   */
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

/** Toxiproxy's server (Shopify): a TCP proxy whose toxics make a dependency slow, silent or rude on
 *  demand; the gray-failure fault suite puts one in front of each dependency (devstack/toxiproxy.ts). */
export const TOXIPROXY_SERVER: Tool = {
  binary: 'toxiproxy-server',
  builtAs: 'server',
  envVar: 'TOXIPROXY_SERVER_PATH',
  goPackage: 'github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0',
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
  ];
  return candidates.find(isExecutable);
}

/** Finds the tool or builds it into .tools/bin with `go install` (needs Go and its module proxy). */
export async function ensureTool(tool: Tool, log: (msg: string) => void = () => {}): Promise<string> {
  const found = findTool(tool);
  if (found) return found;
  log(`${tool.binary} not found (${tool.envVar}, PATH, ${TOOLS_BIN}); building ${tool.goPackage} — this takes a few minutes once`);
  await mkdir(TOOLS_BIN, { recursive: true });
  const gobin = tool.builtAs ? await mkdtemp(join(TOOLS_BIN, `.build-${tool.binary}-`)) : TOOLS_BIN;
  try {
    await run('go', ['install', tool.goPackage], { env: { ...process.env, GOBIN: gobin }, maxBuffer: 64 * 1024 * 1024 });
    if (tool.builtAs) await rename(join(gobin, tool.builtAs), join(TOOLS_BIN, tool.binary));
  } catch (err) {
    throw new Error(`could not build ${tool.binary} with 'go install ${tool.goPackage}': ${(err as Error).message}`);
  } finally {
    if (tool.builtAs) await rm(gobin, { recursive: true, force: true });
  }
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
