import { rm } from 'node:fs/promises';

interface Stoppable {
  stop: () => Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__services as Record<string, Stoppable> | undefined;
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
  if (process.env.TEST_WORKFLOW_BUNDLE) await rm(process.env.TEST_WORKFLOW_BUNDLE, { force: true });
}
