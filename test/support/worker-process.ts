import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './eventually';
import { ROOT } from './paths';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * `npm run start:worker` from sources (src/worker.ts) as its own process with `env` over this
 * process's environment; resolves once it logs "worker polling". `children` collects it, so the
 * test file's afterAll can kill what is left.
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, children: ChildProcess[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const polling = await eventually(
    async () => text,
    (t) => /worker polling/.test(t) || child.exitCode !== null,
    { timeoutMs: 60_000 },
  );
  if (!/worker polling/.test(polling)) throw new Error(`worker did not start:\n${text}`);
  return { child, output: () => text, exited };
}
