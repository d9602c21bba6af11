import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Temporal's runtime logs only errors in tests (one Runtime per process; the first install wins). */
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this process by an earlier test file (or with metrics, see metrics-runtime.ts).
}
