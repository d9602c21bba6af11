/**
 * Where a `--cpu-prof` profile's time goes: self time by package (node_modules/<name>, node
 * internals, the workflow bundle, our code) and the top functions, over the samples after
 * the first `--skip` seconds (start-up).
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [--skip 5] [--top 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native / gc / idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('workflow-bundle')) return 'workflow bundle';
  if (url.includes('/dist/') || url.includes('/src/') || url.includes('/activities/')) return 'service code';
  return url;
}

function main(): void {
  const [file, ...rest] = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  const skipUs = arg('--skip', 5) * 1e6;
  const top = arg('--top', 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (t - profile.startTime < skipUs) return;
    const dt = profile.timeDeltas[i];
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : where(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms`;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled after ${skipUs / 1e6} s, ${(busy / 1e6).toFixed(1)} s busy\n`);
  console.log('self time by package');
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${pkg}`);
  console.log('\ntop functions (self time)');
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${fn}`);
}

main();
