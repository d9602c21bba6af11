import { existsSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';

/**
 * One connection profile for the API, the worker, `ops` and the `temporal` CLI: Temporal's
 * environment configuration — a TOML file (TEMPORAL_CONFIG_FILE, else
 * ~/.config/temporalio/temporal.toml) with named profiles (TEMPORAL_PROFILE, else `default`),
 * and Temporal's standard variables over it (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, …). The profile fills in what
 * the environment leaves unset; this service's own names (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY,
 * TEMPORAL_TLS_CA) still win. Certificates and keys come as file paths (`*_path`), as ours do.
 */
export function withTemporalProfile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.TEMPORAL_CONFIG_FILE && !existsSync(env.TEMPORAL_CONFIG_FILE))
    throw new TemporalProfileError(`TEMPORAL_CONFIG_FILE: ${env.TEMPORAL_CONFIG_FILE} does not exist`);
  const strings = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: strings });
  } catch (err) {
    throw new TemporalProfileError(`TEMPORAL_PROFILE: ${(err as Error).message}`);
  }
  const tls = profile.tls;
  for (const [name, source] of Object.entries({
    client_cert: tls?.clientCert,
    client_key: tls?.clientKey,
    server_ca_cert: tls?.serverCACert,
  }))
    if (source && !('path' in source))
      throw new TemporalProfileError(`TEMPORAL_PROFILE: give the profile's ${name} as ${name}_path (a file), not inline data`);
  const path = (source?: { path: string } | { data: unknown }) => (source && 'path' in source ? source.path : undefined);
  const fromProfile: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: profile.address,
    TEMPORAL_NAMESPACE: profile.namespace,
    TEMPORAL_API_KEY: profile.apiKey,
    TEMPORAL_TLS_CERT: path(tls?.clientCert),
    TEMPORAL_TLS_KEY: path(tls?.clientKey),
    TEMPORAL_TLS_CA: path(tls?.serverCACert),
    TEMPORAL_TLS_SERVER_NAME: tls?.serverName,
    TEMPORAL_TLS: tls === undefined ? undefined : tls.disabled ? 'false' : 'true',
  };
  const filled = Object.fromEntries(Object.entries(fromProfile).filter(([name, value]) => value !== undefined && !env[name]));
  return { ...env, ...filled };
}

/** The profile could not be read; the message names the variable. */
export class TemporalProfileError extends Error {}
