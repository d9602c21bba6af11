import { bundleWorkflows } from '../../src/worker/workflow-bundle';

/** The workflows bundled from source, as the worker runs them (never a stale `npm run build` output). */
export async function bundleWorkflowsFromSource(): Promise<{ code: string }> {
  return { code: await bundleWorkflows() };
}
