import { z } from 'zod';
import { configSchemas } from '../../../src/config';
import { readRoot } from './markdown';

type Process = keyof typeof configSchemas;

/** The object schema under a schema's refinements and transforms (`.transform` wraps it in a pipe). */
function variablesOf(schema: z.ZodType): string[] {
  let def = (schema as unknown as { _zod: { def: { type: string; in?: z.ZodType; shape?: Record<string, unknown> } } })._zod.def;
  while (def.type === 'pipe' && def.in) def = (def.in as unknown as { _zod: { def: typeof def } })._zod.def;
  if (def.type !== 'object' || !def.shape) throw new Error(`expected an object schema under the pipes, found ${def.type}`);
  return Object.keys(def.shape);
}

/** variable → the processes whose schema reads it. */
function variablesInCode(): Map<string, Set<Process>> {
  const used = new Map<string, Set<Process>>();
  for (const [process, schema] of Object.entries(configSchemas) as [Process, z.ZodType][]) {
    for (const name of variablesOf(schema)) used.set(name, (used.get(name) ?? new Set()).add(process));
  }
  return used;
}

/** The rows of docs/configuration.md's variables table: variable → the processes its "used by" column names. */
function variablesDocumented(): Map<string, Set<Process>> {
  const page = readRoot('docs', 'configuration.md');
  const table = /<!-- variables -->([\s\S]*?)<!-- \/variables -->/.exec(page)?.[1];
  if (!table) throw new Error('docs/configuration.md has no <!-- variables --> … <!-- /variables --> table');
  const documented = new Map<string, Set<Process>>();
  for (const [, name, usedBy] of table.matchAll(/^\|\s*`(\w+)`\s*\|([^|]*)\|/gm)) {
    const processes = usedBy.split(',').map((p) => p.trim());
    documented.set(name, new Set(processes.filter((p): p is Process => p in configSchemas)));
  }
  return documented;
}

describe('docs/configuration.md', () => {
  const inCode = variablesInCode();
  const documented = variablesDocumented();

  it('documents every variable the config schemas in src/config.ts read, and none they no longer read', () => {
    expect(inCode.size).toBeGreaterThan(20);
    const missing = [...inCode.keys()].filter((name) => !documented.has(name)).sort();
    const noLongerRead = [...documented.keys()].filter((name) => !inCode.has(name)).sort();
    expect({ missing, noLongerRead }).toEqual({ missing: [], noLongerRead: [] });
  });

  it("names, in each variable's used-by column, exactly the processes (api, worker, codec) whose schema reads it", () => {
    const wrong = [...inCode]
      .filter(([name]) => documented.has(name))
      .map(([name, processes]) => ({ name, code: [...processes].sort(), documented: [...documented.get(name)!].sort() }))
      .filter(({ code, documented }) => code.join() !== documented.join());
    expect(wrong).toEqual([]);
  });
});
