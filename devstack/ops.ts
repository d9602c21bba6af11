/**
 * `npm run ops -- …` on a developer's machine: the production ops CLI (src/ops/cli.ts, which
 * reads only its environment) with the running `npm run dev` stack's addresses, keys and
 * placeholder tokens filled into the variables that are not already set. In an image the CLI
 * is `node dist/src/ops/cli.js` and nothing is filled in.
 */
import { runCli } from '../src/ops/cli';
import { readDevState, type DevState } from './dev-state';

/** The environment the ops CLI reads, each variable taken from the dev stack where it is unset. */
export function devOpsEnv(env: NodeJS.ProcessEnv, dev: DevState | null): NodeJS.ProcessEnv {
  if (!dev) return env;
  const fromDev: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: dev.temporalAddress,
    DATABASE_URL: dev.databaseUrl,
    STRIPE_SECRET_KEY: dev.stripeSecretKey,
    STRIPE_API_BASE: dev.stripeApiBase,
    POSTMARK_SERVER_TOKEN: dev.postmarkServerToken,
    POSTMARK_API_URL: dev.postmarkUrl,
    PAYLOAD_KEYS_FILE: env.PAYLOAD_KEYS ? undefined : dev.payloadKeysFile,
  };
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(fromDev)) {
    if (value !== undefined && filled[name] === undefined && filled[`${name}_FILE`] === undefined) filled[name] = value;
  }
  return filled;
}

if (require.main === module) {
  const dev = readDevState();
  if (dev) process.stderr.write('[ops] using the npm run dev stack (.dev/dev-env.json) for the variables not set\n');
  Object.assign(process.env, devOpsEnv(process.env, dev));
  void runCli(process.argv.slice(2)).then(({ code, output }) => {
    (code === 0 ? process.stdout : process.stderr).write(`${output}\n`);
    process.exitCode = code;
  });
}
