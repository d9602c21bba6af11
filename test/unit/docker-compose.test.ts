import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT as root } from '../support/paths';

/** No container engine runs here, so the compose file is checked by parsing it. */
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[] | string;
      environment?: Record<string, string>;
      depends_on?: Record<string, { condition: string }>;
      deploy?: { replicas?: number };
      stop_grace_period?: string;
      ports?: string[];
      secrets?: string[];
    }
  >;
  secrets: Record<string, { environment?: string; file?: string }>;
};

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Temporal with its UI, migrations, the API and a scalable worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'api',
        'codec',
        'grafana',
        'migrate',
        'postgres',
        'prometheus',
        'temporal',
        'temporal-schema',
        'temporal-setup',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    expect(compose.services.worker.deploy?.replicas).toBeGreaterThan(1);
    // Longer than the worker's shutdown grace (30 s) and force time (+5 s): a deploy drains it.
    expect(compose.services.worker.stop_grace_period).toBe('45s');
    // The compiled entry points, run by node itself so that docker's SIGTERM reaches them.
    expect(compose.services.api.command).toEqual(['node', '--max-semi-space-size=4', 'dist/src/server.js']);
    expect(compose.services.worker.command).toEqual(['node', '--max-old-space-size=256', 'dist/src/worker.js']);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/scripts/db-migrate.js']);
  });

  it("runs the API as the Dockerfile's CMD does, node flags included", () => {
    const cmd = /^CMD (\[.*\])\s*$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(compose.services.api.command);
  });

  it('builds the app services from the Dockerfile in this repository', () => {
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20/m);
    for (const name of ['api', 'worker', 'migrate', 'codec']) expect(compose.services[name].build).toBe('.');
  });

  it('starts the API and worker only after migrations ran and search attributes exist', () => {
    for (const name of ['api', 'worker']) {
      expect(compose.services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('gives each process the configuration it requires, its secrets as mounted files rather than container environment', () => {
    const api = compose.services.api.environment!;
    const worker = compose.services.worker.environment!;
    for (const env of [api, worker])
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE']));
    const secretsOf = {
      api: ['STRIPE_WEBHOOK_SECRET', 'PAYLOAD_KEYS', 'ACCESS_API_TOKENS'],
      worker: ['STRIPE_SECRET_KEY', 'POSTMARK_SERVER_TOKEN', 'PAYLOAD_KEYS', 'APP_WEBHOOK_SECRETS'],
      codec: ['PAYLOAD_KEYS', 'CODEC_AUTH_TOKEN'],
    };
    for (const [service, names] of Object.entries(secretsOf)) {
      const { environment, secrets } = compose.services[service];
      for (const name of names) {
        const secret = name.toLowerCase();
        expect(environment).not.toHaveProperty(name);
        expect(environment?.[`${name}_FILE`]).toBe(`/run/secrets/${secret}`);
        expect(secrets).toContain(secret);
        expect(compose.secrets[secret]).toEqual({ environment: name });
      }
    }
  });

  it('publishes only the webhook to the world: Temporal, its UI, the codec server, Prometheus and Grafana on loopback, metrics not at all', () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => [name, port]));
    expect(published).toEqual([
      ['temporal', '127.0.0.1:7233:7233'],
      ['temporal-ui', '127.0.0.1:8233:8080'],
      ['codec', '127.0.0.1:8888:8888'],
      ['api', '3000:3000'],
      ['prometheus', '127.0.0.1:9090:9090'],
      ['grafana', '127.0.0.1:3001:3000'],
    ]);
  });
});
