import { readFileSync } from 'node:fs';

/** The variables that hold secrets: each may instead name a file with `<NAME>_FILE` (Docker/Kubernetes secrets). */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_SECRET_KEY',
  'POSTMARK_SERVER_TOKEN',
  'TEMPORAL_API_KEY',
  'PAYLOAD_KEYS',
  'CODEC_AUTH_TOKEN',
  'ACCESS_API_TOKENS',
  'APP_WEBHOOK_SECRETS',
] as const;

export class SecretFileError extends Error {}

/**
 * The environment with every `<NAME>_FILE` replaced by `<NAME>` = the file's content (trailing
 * newline trimmed), so a secret can come from a mounted file instead of the process environment,
 * where `docker inspect` and child processes would see it. Setting both is refused (which one
 * wins would be a guess); an unreadable file is refused with its variable's name, never its content.
 */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`  ${name}: set both ${name} and ${name}_FILE; use one`);
      continue;
    }
    try {
      resolved[name] = read(path).replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`  ${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    delete resolved[`${name}_FILE`];
  }
  if (problems.length > 0) throw new SecretFileError(`Invalid configuration:\n${problems.join('\n')}`);
  return resolved;
}
