import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { searchAttributes } from '../../../src/contracts';
import { TEMPORAL_SERVER, TEMPORAL_SERVER_VERSION, TEMPORAL_SQL_TOOL } from '../../../devstack/tools';
import { fromRoot } from '../../support/paths';
import { CLUSTER_CONFIG_DIR, SHIPPED_DYNAMIC_CONFIG } from '../../support/temporal-cluster';

/**
 * docker-compose.yml and the cluster the test suite runs (test/support/temporal-cluster.ts) are one
 * configuration: the same server release, config template, dynamic config and setup scripts —
 * so what the cluster suite proves is what compose deploys. (No container engine runs here.)
 */
interface Service {
  image?: string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}
const compose = parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const temporal = compose.services.temporal;
const setupNamespace = readFileSync(fromRoot('deploy/temporal/setup-namespace.sh'), 'utf8');
const launcher = readFileSync(fromRoot('test/support/temporal-cluster.ts'), 'utf8');
const mounts = (service: Service) => Object.fromEntries((service.volumes ?? []).map((v) => v.split(':')).map(([from, to]) => [to, from]));

describe('the Temporal cluster: docker-compose.yml and the test suite agree', () => {
  it('run the same server release the tools build', () => {
    expect(TEMPORAL_SERVER.goPackage).toBe(`go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`);
    expect(TEMPORAL_SQL_TOOL.goPackage).toBe(`go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`);
    expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    for (const name of ['temporal-schema', 'temporal-setup'])
      expect(compose.services[name].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
  });

  it('start the server on the same config template and dynamic config', () => {
    expect(CLUSTER_CONFIG_DIR).toBe(fromRoot('deploy/temporal'));
    expect(mounts(temporal)['/etc/temporal/cluster-config']).toBe('./deploy/temporal/config');
    expect(launcher).toMatch(/'--config', 'config', '--env', 'production'/);
    expect(temporal.entrypoint?.join(' ')).toMatch(/temporal-server --root \/etc\/temporal --config cluster-config --env production/);
    expect(SHIPPED_DYNAMIC_CONFIG).toBe(fromRoot('deploy/temporal/dynamicconfig/production.yaml'));
    expect(mounts(temporal)['/etc/temporal/dynamicconfig']).toBe('./deploy/temporal/dynamicconfig');
    expect(temporal.environment?.TEMPORAL_DYNAMIC_CONFIG).toBe('/etc/temporal/dynamicconfig/production.yaml');
    // Persistence and visibility on PostgreSQL, in databases of their own.
    const config = readFileSync(fromRoot('deploy/temporal/config/production.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe('# enable-template');
    expect(config.match(/pluginName: postgres12/g)).toHaveLength(2);
    expect(temporal.environment).toMatchObject({ TEMPORAL_DB: 'temporal', TEMPORAL_VISIBILITY_DB: 'temporal_visibility' });
  });

  it('set up with the same scripts: schema first, then the namespace and search attributes', () => {
    expect(compose.services['temporal-schema'].entrypoint).toEqual(['sh', '/deploy/temporal/setup-schema.sh']);
    expect(compose.services['temporal-setup'].entrypoint).toEqual(['sh', '/deploy/temporal/setup-namespace.sh']);
    expect(mounts(compose.services['temporal-setup'])['/deploy/temporal']).toBe('./deploy/temporal');
    expect(launcher).toContain("'setup-schema.sh'");
    expect(launcher).toContain("'setup-namespace.sh'");
  });

  it('register every search attribute the workflows are started with, one create per attribute', () => {
    const listed = /SEARCH_ATTRIBUTES="([^"]+)"/.exec(setupNamespace)?.[1].split(/\s+/);
    expect(listed?.sort()).toEqual(
      Object.values(searchAttributes)
        .map((k) => k.name)
        .sort(),
    );
    // `--name` more than once in one command takes one --type for all of them.
    const creates = setupNamespace.split('\n').filter((line) => !line.startsWith('#') && line.includes('search-attribute create'));
    expect(creates).toHaveLength(1);
    expect(creates[0].match(/--name\s/g)).toHaveLength(1);
    expect(creates[0]).toContain('--type Keyword');
  });

  it('keep the dynamic config in one file: the suite adds only what a test names, compose nothing', () => {
    const dynamic = parse(readFileSync(SHIPPED_DYNAMIC_CONFIG, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    expect(dynamic['limit.maxIDLength']?.[0].value).toBe(255);
    expect(dynamic['frontend.namespaceRPS.visibility']?.[0].value).toBe(10);
    for (const entries of Object.values(dynamic)) for (const entry of entries) expect(entry).toHaveProperty('value');
  });
});
