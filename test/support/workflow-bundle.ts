import { bundleWorkflows, type BundleOptions } from '../../src/worker/workflow-bundle';

/** The workflows bundled from source, as the worker runs them (never a stale `npm run build` output);
 *  `traced`: with the tracing interceptors, as a worker with tracing on runs them. */
export async function bundleWorkflowsFromSource(options: Pick<BundleOptions, 'traced'> = {}): Promise<{ code: string }> {
  return { code: await bundleWorkflows(options) };
}
