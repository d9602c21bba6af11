import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess } from '../../src/dev/temporal-dev-server';
import { ROOT } from './paths';

export interface ServiceProcess {
  /** Everything the process wrote (its JSON log lines, stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Runs `src/<entry>.ts` as its own process, as production runs it (from the environment alone). */
export function startServiceProcess(entry: 'server' | 'worker', env: NodeJS.ProcessEnv): ServiceProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `src/${entry}.ts`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const append = (chunk: Buffer) => (text += chunk.toString());
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { output: () => text, stop: () => stopProcess(child, 15_000) };
}

/** Resolves once `url` answers 200; throws with the processes' output when it never does. */
export async function waitUntilReady(url: string, processes: ServiceProcess[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never answered 200:\n${processes.map((p) => p.output().slice(-2000)).join('\n---\n')}`);
}
