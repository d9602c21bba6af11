import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';

/** The files `npm run build` writes into dist/: the workflow bundle without the tracing
 *  interceptors, and with them. */
export const BUNDLE_FILES = { plain: 'workflow-bundle.js', traced: 'workflow-bundle.traced.js' } as const;

/** The workflows' entry module; the bundle is made from it. */
export const WORKFLOWS_PATH = require.resolve('../../workflows');

const noop = () => {};
/** Webpack's progress and stats are noise in a service's log; errors still reach stderr. */
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => console.error(message) };

/** OpenTelemetry's workflow interceptors: a span per workflow run and per activity it schedules,
 *  handed out of the sandbox through the worker's `exporter` sink (src/worker/build-worker.ts). */
const TRACING_INTERCEPTORS = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export interface BundleOptions {
  workflowsPath?: string;
  /**
   * With OpenTelemetry's workflow interceptors (a worker with tracing on). Without them the bundle
   * is a third of the size, and that matters on every run: the reusable V8 context evaluates each
   * workflow's modules afresh, so the interceptors' 700 KiB of OpenTelemetry cost every
   * fulfillment about 16 ms of the workflow thread's CPU (docs/PERFORMANCE.md). They add
   * no command, so a history replays on either bundle.
   */
  traced?: boolean;
}

/** Bundles the workflow code with webpack (seconds): at build time, or at start from sources. */
export async function bundleWorkflows({ workflowsPath = WORKFLOWS_PATH, traced = false }: BundleOptions = {}): Promise<string> {
  const workflowInterceptorModules = traced ? TRACING_INTERCEPTORS : [];
  return (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quiet })).code;
}

/**
 * The workflow code the worker runs, with the tracing interceptors when tracing is on. Compiled
 * (production): a bundle `npm run build` made, so no webpack runs at boot. From TypeScript
 * sources (`npm run dev`): bundled now, quietly.
 */
export async function loadWorkflowBundle({ traced }: { traced: boolean }): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  if (!__filename.endsWith('.js')) return { code: await bundleWorkflows({ traced }) };
  // dist/<file>, seen from dist/src/worker/.
  const codePath = resolve(__dirname, '../..', traced ? BUNDLE_FILES.traced : BUNDLE_FILES.plain);
  if (!existsSync(codePath)) {
    throw new Error(`workflow bundle ${codePath} is missing: run \`npm run build\` before starting the compiled worker`);
  }
  return { codePath };
}
