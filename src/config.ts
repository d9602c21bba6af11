import { z } from 'zod';
import { ACTIVITY_ATTEMPTS_CEILING } from './contracts';
import { withTemporalProfile } from './clients/temporal-profile';
import { withSecretFiles } from './secret-files';
import { PayloadKeyError, payloadKeysFromEnv, type PayloadKey } from './temporal/payload-keys';

/**
 * Configuration, read and validated once at start-up. Each process validates only what
 * it uses; a bad or missing variable stops the process with the variable's name.
 */
const port = z.coerce.number().int().min(0).max(65535);
const url = z.url({ protocol: /^https?$/ });
/** `7d`, `36h`, `30m`, `90s` → milliseconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+(d|h|m|s)$/, 'must be a whole number followed by d, h, m or s (e.g. 7d, 36h)')
  .transform((v) => Number(v.slice(0, -1)) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[v.slice(-1) as 'd' | 'h' | 'm' | 's']);
/** A duration of at least a minute: Temporal refuses a zero Schedule interval, and a zero lookback finds nothing. */
const atLeastAMinute = duration.refine((ms) => ms >= 60_000, 'must be at least 1m');
/** `a, b,,c` → `['a', 'b', 'c']`; unset → `[]`. */
const commaList = () =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
/** `acct_…` ids, comma-separated: the connected accounts whose events reconciliation lists. */
export const connectAccounts = commaList().refine(
  (ids) => ids.every((id) => /^acct_\w+$/.test(id)),
  'must be comma-separated Stripe account ids (acct_…)',
);
const required = (what: string) =>
  z
    .string({ error: `is required (${what})` })
    .trim()
    .min(1, `is required (${what})`);

const shared = {
  DATABASE_URL: z.string({ error: 'is required (PostgreSQL connection URL)' }).regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('stripe-fulfillment'),
  /** Temporal Cloud's API key (TLS on); or mTLS with the files below. */
  TEMPORAL_API_KEY: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().trim().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  ...payloadKeyVariables(),
  ...tracingVariables(),
};

/** OpenTelemetry's standard variables (src/telemetry/tracing.ts): an OTLP/HTTP endpoint switches trace export on. */
function tracingVariables() {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
    OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
    OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
    OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  };
}

/** PAYLOAD_KEYS (`id:base64key,…`, newest first) or PAYLOAD_KEYS_FILE: the payload codec's keys (none: payloads stay plain). */
function payloadKeyVariables() {
  return { PAYLOAD_KEYS: z.string().optional(), PAYLOAD_KEYS_FILE: z.string().optional() };
}

/** Parses the payload keys once, into `payloadKeys`; a bad key names its variable (and key id, never the key). */
function withPayloadKeys<T extends { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string }>(
  config: T,
  ctx: z.RefinementCtx,
): T & { payloadKeys: PayloadKey[] } {
  try {
    return { ...config, payloadKeys: payloadKeysFromEnv(config) };
  } catch (err) {
    if (!(err instanceof PayloadKeyError)) throw err;
    ctx.addIssue({ code: 'custom', path: [err.variable], message: err.reason });
    return z.NEVER;
  }
}

/** A client certificate needs its key, and the other way round. */
const certPair = (config: { TEMPORAL_TLS_CERT?: string; TEMPORAL_TLS_KEY?: string }, ctx: z.RefinementCtx) => {
  if (!config.TEMPORAL_TLS_CERT !== !config.TEMPORAL_TLS_KEY) {
    const missing = config.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client certificate and key)',
    });
  }
};

const apiSchema = z
  .object({
    ...shared,
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** GET /metrics listens here, apart from the public webhook port; `off` disables it. */
    METRICS_PORT: z.union([z.literal('off').transform(() => null), port]).default(9465),
    METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    STRIPE_WEBHOOK_SECRET: required('the endpoint signing secret, whsec_…; several may be comma-separated while rolling')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((secrets) => secrets.length > 0, 'holds no secret'),
    /** The account mode whose events are ours: an event of the other mode is ignored. Unset: from
     *  STRIPE_SECRET_KEY's prefix when the API has it, else both modes are accepted. */
    STRIPE_MODE: z.enum(['test', 'live']).optional(),
    STRIPE_SECRET_KEY: z.string().optional(),
    /** Allow-list of connected accounts whose events are ours (empty: any). */
    STRIPE_CONNECT_ACCOUNTS: connectAccounts,
  })
  .superRefine(certPair)
  .transform(withPayloadKeys);

/** true = live, false = test, undefined = either (see STRIPE_MODE). */
export function acceptedLivemode(config: Pick<ApiConfig, 'STRIPE_MODE' | 'STRIPE_SECRET_KEY'>): boolean | undefined {
  if (config.STRIPE_MODE) return config.STRIPE_MODE === 'live';
  const prefix = /^(?:sk|rk)_(live|test)_/.exec(config.STRIPE_SECRET_KEY ?? '')?.[1];
  return prefix === undefined ? undefined : prefix === 'live';
}

/** The worker's pool when WORKER_DB_POOL_SIZE is unset; also its activity concurrency then. */
export const WORKER_DB_POOL_DEFAULT = 10;

/**
 * Every activity running at once can hold a connection: a burst then never leaves a transaction
 * queueing for the pool until it times out (activities use one connection at a time).
 */
const activitiesFitThePool = (config: { WORKER_DB_POOL_SIZE: number; WORKER_MAX_CONCURRENT_ACTIVITIES?: number }, ctx: z.RefinementCtx) => {
  if ((config.WORKER_MAX_CONCURRENT_ACTIVITIES ?? 0) > config.WORKER_DB_POOL_SIZE) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_MAX_CONCURRENT_ACTIVITIES'],
      message: `must be at most WORKER_DB_POOL_SIZE (${config.WORKER_DB_POOL_SIZE}): each running activity may need a database connection`,
    });
  }
};

const workerSchema = z
  .object({
    ...shared,
    STRIPE_SECRET_KEY: required('a Stripe secret or restricted key, used to read checkout line items'),
    STRIPE_API_BASE: url.default('https://api.stripe.com'),
    POSTMARK_SERVER_TOKEN: required('the Postmark server API token'),
    POSTMARK_API_URL: url.default('https://api.postmarkapp.com'),
    POSTMARK_FROM: required('the sender address of the welcome email'),
    POSTMARK_WELCOME_TEMPLATE: z.string().min(1).default('welcome'),
    POSTMARK_PAYMENT_FAILED_TEMPLATE: z.string().min(1).default('payment-failed'),
    PAST_DUE_GRACE_PERIOD: duration.default(7 * 86_400_000),
    CATALOG_PATH: z.string().min(1).default('config/catalog.json'),
    RECONCILE_EVERY: z.union([z.literal('off').transform(() => null), atLeastAMinute]).default(3_600_000),
    RECONCILE_LOOKBACK: atLeastAMinute.default(72 * 3_600_000),
    STRIPE_CONNECT_ACCOUNTS: connectAccounts,
    /** How long SIGTERM lets running activities finish before they are cancelled (below compose's stop timeout). */
    WORKER_SHUTDOWN_GRACE: duration.default(30_000),
    /** host:port for the worker's Prometheus endpoint (Temporal SDK metrics); `off` disables. */
    WORKER_METRICS_ADDRESS: z
      .string()
      .trim()
      .default('0.0.0.0:9464')
      .transform((v) => (v === 'off' || v === '' ? null : v)),
    /** Above the workflows' own ceiling the retry policy would end the attempts first, silently. */
    ACTIVITY_MAX_ATTEMPTS: z.coerce
      .number()
      .int()
      .min(1)
      .max(ACTIVITY_ATTEMPTS_CEILING, `must be at most ${ACTIVITY_ATTEMPTS_CEILING} (the workflows' retry policy allows no more attempts)`)
      .default(10),
    /** Connections in the worker's PostgreSQL pool. */
    WORKER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(WORKER_DB_POOL_DEFAULT),
    /** Activities one worker runs at once (default: the pool size). */
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).optional(),
  })
  .superRefine(certPair)
  .superRefine(activitiesFitThePool)
  .transform((config, ctx) =>
    withPayloadKeys(
      { ...config, WORKER_MAX_CONCURRENT_ACTIVITIES: config.WORKER_MAX_CONCURRENT_ACTIVITIES ?? config.WORKER_DB_POOL_SIZE },
      ctx,
    ),
  );

/** An origin the Temporal UI is served from: scheme, host and port, no path (`http://localhost:8233`). */
const origins = commaList().refine(
  (list) => list.every((o) => URL.canParse(o) && new URL(o).origin === o),
  'must be comma-separated origins like https://temporal-ui.example.com or http://localhost:8233 (no path, no trailing slash)',
);

const codecSchema = z
  .object({
    ...payloadKeyVariables(),
    CODEC_PORT: port.default(8888),
    /** Loopback by default: put it behind the same network (or proxy) as the Temporal UI. */
    CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    CODEC_AUTH_TOKEN: required('the bearer token callers of the codec server send; e.g. `openssl rand -base64 32`').refine(
      (v) => v.length >= 24,
      'must be at least 24 characters',
    ),
    CODEC_CORS_ORIGINS: origins,
    LOG_LEVEL: shared.LOG_LEVEL,
  })
  .transform(withPayloadKeys)
  .superRefine((config, ctx) => {
    if (config.payloadKeys.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_KEYS'],
        message: 'is required (the codec server decodes with these keys; or set PAYLOAD_KEYS_FILE)',
      });
  });

/** Each process's schema: docs/configuration.md lists exactly their variables (test/unit/docs/configuration.test.ts). */
export const configSchemas = { api: apiSchema, worker: workerSchema, codec: codecSchema };

export type ApiConfig = z.output<typeof apiSchema>;
export type CodecConfig = z.output<typeof codecSchema>;
export type WorkerConfig = z.output<typeof workerSchema>;

export class ConfigError extends Error {}

function load<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  let parsed;
  try {
    // Temporal's connection profile (TOML + TEMPORAL_* variables) fills in what the environment leaves unset.
    parsed = schema.safeParse(withTemporalProfile(withSecretFiles(env)));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => load(apiSchema, env);
export const loadWorkerConfig = (env: NodeJS.ProcessEnv = process.env): WorkerConfig => load(workerSchema, env);
export const loadCodecConfig = (env: NodeJS.ProcessEnv = process.env): CodecConfig => load(codecSchema, env);
