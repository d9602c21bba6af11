import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';

/** Where `npm run build` writes the workflow bundle: dist/workflow-bundle.js, seen from dist/src/worker/. */
export const BUILT_BUNDLE_PATH = resolve(__dirname, '../../workflow-bundle.js');

/** The workflows' entry module; the bundle is made from it. */
export const WORKFLOWS_PATH = require.resolve('../../workflows');

const noop = () => {};
/** Webpack's progress and stats are noise in a service's log; errors still reach stderr. */
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => console.error(message) };

/** OpenTelemetry's workflow interceptors: a span per workflow run and per activity it schedules,
 *  handed out of the sandbox through the worker's `exporter` sink (src/worker/build-worker.ts). */
const WORKFLOW_INTERCEPTORS = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** Bundles the workflow code with webpack (seconds): at build time, or at start from sources. */
export async function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<string> {
  return (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: WORKFLOW_INTERCEPTORS, logger: quiet })).code;
}

/**
 * The workflow code the worker runs. Compiled (production): the bundle `npm run build` made,
 * so no webpack runs at boot. From TypeScript sources (`npm run dev`): bundled now, quietly.
 */
export async function loadWorkflowBundle(): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  if (!__filename.endsWith('.js')) return { code: await bundleWorkflows() };
  if (!existsSync(BUILT_BUNDLE_PATH)) {
    throw new Error(`workflow bundle ${BUILT_BUNDLE_PATH} is missing: run \`npm run build\` before starting the compiled worker`);
  }
  return { codePath: BUILT_BUNDLE_PATH };
}
