import { z } from 'zod';
import { ACTIVITY_ATTEMPTS_CEILING, DEFAULT_STEP_POLICY, type StepPolicy } from './contracts';
import { withTemporalProfile } from './clients/temporal-profile';
import { DEFAULT_TEMPLATE_ALIASES, type TemplateAliases } from './emails/template';
import { withSecretFiles } from './secret-files';
import { PayloadKeyError, payloadKeysFromEnv, type PayloadKey } from './temporal/payload-keys';

/**
 * Configuration, read and validated once at start-up. Each process validates only what
 * it uses; a bad or missing variable stops the process with the variable's name.
 */
const port = z.coerce.number().int().min(0).max(65535);
const url = z.url({ protocol: /^https?$/ });
/** `7d`, `36h`, `30m`, `90s`, `250ms` → milliseconds. */
const DURATION_UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
const duration = z
  .string()
  .trim()
  .regex(/^\d+(d|h|m|s|ms)$/, 'must be a whole number followed by d, h, m, s or ms (e.g. 7d, 36h)')
  .transform((v) => {
    const [, amount, unit] = /^(\d+)(\w+)$/.exec(v)!;
    return Number(amount) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS];
  });
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
/** `acct_…` ids, comma-separated: the connected accounts whose events are ours (none by default). */
export const connectAccounts = commaList().refine(
  (ids) => ids.every((id) => /^acct_\w+$/.test(id)),
  'must be comma-separated Stripe account ids (acct_…)',
);
const required = (what: string) =>
  z
    .string({ error: `is required (${what})` })
    .trim()
    .min(1, `is required (${what})`);

/** The Postmark alias of each template in src/emails (the worker sends them, `ops emails push` creates them). */
const templateAliasVariables = {
  POSTMARK_WELCOME_TEMPLATE: z.string().min(1).default(DEFAULT_TEMPLATE_ALIASES.welcome),
  POSTMARK_CONFIRMATION_TEMPLATE: z.string().min(1).default(DEFAULT_TEMPLATE_ALIASES.confirmation),
  POSTMARK_NOT_ACTIVE_TEMPLATE: z.string().min(1).default(DEFAULT_TEMPLATE_ALIASES.notActive),
  POSTMARK_PAYMENT_FAILED_TEMPLATE: z.string().min(1).default(DEFAULT_TEMPLATE_ALIASES.paymentFailed),
};
const templateAliasSchema = z.object(templateAliasVariables);

/** The configured alias of each template (POSTMARK_*_TEMPLATE, else the defaults). */
export function templateAliases(env: NodeJS.ProcessEnv | z.input<typeof templateAliasSchema> = process.env): TemplateAliases {
  const parsed = templateAliasSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return {
    welcome: parsed.data.POSTMARK_WELCOME_TEMPLATE,
    confirmation: parsed.data.POSTMARK_CONFIRMATION_TEMPLATE,
    notActive: parsed.data.POSTMARK_NOT_ACTIVE_TEMPLATE,
    paymentFailed: parsed.data.POSTMARK_PAYMENT_FAILED_TEMPLATE,
  };
}

/**
 * How a run's steps retry and wait. Every process that starts runs (the API, the worker's
 * reconciliation, ops) puts them into the run's input (src/contracts/step-policy.ts), so a run keeps
 * the policy it started with.
 */
const stepPolicyVariables = {
  /** Attempts of a step in one round (errors, timeouts and crashes alike); then the run shows Retrying. */
  ACTIVITY_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(ACTIVITY_ATTEMPTS_CEILING, `must be at most ${ACTIVITY_ATTEMPTS_CEILING}`)
    .default(DEFAULT_STEP_POLICY.attemptsPerRound),
  /** How long a step rides out an outage (Retrying) before it asks an operator (NeedsAttention); `0s`: at once. */
  RETRY_WINDOW: duration.default(DEFAULT_STEP_POLICY.retryWindowMs),
  /** How long a step that needs a decision waits for an operator before the run fails (AttentionTimedOut). */
  ATTENTION_WAIT: duration.default(DEFAULT_STEP_POLICY.attentionWaitMs),
};
const stepPolicySchema = z.object(stepPolicyVariables);

/** The step policy runs started with this configuration carry. */
export function stepPolicy(config: z.output<typeof stepPolicySchema>): StepPolicy {
  return {
    ...DEFAULT_STEP_POLICY,
    attemptsPerRound: config.ACTIVITY_MAX_ATTEMPTS,
    retryWindowMs: config.RETRY_WINDOW,
    attentionWaitMs: config.ATTENTION_WAIT,
  };
}

/** The step policy from an environment without the rest of a process's schema (the ops CLI). */
export function stepPolicyFromEnv(env: NodeJS.ProcessEnv): StepPolicy {
  const parsed = stepPolicySchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return stepPolicy(parsed.data);
}

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
  ...stepPolicyVariables,
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

/** `off`: run without payload keys in live mode, knowingly (emails and names reach Temporal's histories in plaintext). */
const payloadEncryption = { PAYLOAD_ENCRYPTION: z.enum(['off']).optional() };

/**
 * A live-mode API or worker without payload keys would write buyers' emails and names into
 * Temporal's histories in plaintext: it refuses to start unless PAYLOAD_ENCRYPTION=off says so.
 */
function encryptionInLiveMode<T extends { payloadKeys: PayloadKey[]; PAYLOAD_ENCRYPTION?: 'off' }>(live: (config: T) => boolean) {
  return (config: T, ctx: z.RefinementCtx) => {
    if (config.PAYLOAD_ENCRYPTION === 'off' && config.payloadKeys.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_ENCRYPTION'], message: 'is off while PAYLOAD_KEYS are set; use one or the other' });
    }
    if (live(config) && config.payloadKeys.length === 0 && config.PAYLOAD_ENCRYPTION !== 'off') {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_KEYS'],
        message:
          'is required in live mode (or PAYLOAD_KEYS_FILE): without it buyers’ emails and names reach Temporal’s histories in plaintext; set PAYLOAD_ENCRYPTION=off to run so knowingly',
      });
    }
  };
}

const liveKey = (key: string | undefined): boolean => /^(?:sk|rk)_live_/.test(key ?? '');

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

/** Secrets and tokens, comma-separated so one can be rolled: each long enough not to be guessed. */
const secretList = (what: string) =>
  commaList().refine((list) => list.every((v) => v.length >= 24), `must be ${what}, comma-separated, each at least 24 characters`);

/** Browser origins: scheme, host and port, no path (`http://localhost:8233`, `https://app.example.com`). */
const origins = commaList().refine(
  (list) => list.every((o) => URL.canParse(o) && new URL(o).origin === o),
  'must be comma-separated origins like https://app.example.com or http://localhost:8233 (no path, no trailing slash)',
);

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
    /** Where the landing page's look-ups of undelivered sessions go (with STRIPE_SECRET_KEY). */
    STRIPE_API_BASE: url.default('https://api.stripe.com'),
    /** Allow-list of connected accounts whose events are ours (empty: none; our own account's always are). */
    STRIPE_CONNECT_ACCOUNTS: connectAccounts,
    /** Origins of the landing pages that may call GET /checkout/sessions/:id from a browser. */
    CHECKOUT_STATUS_CORS_ORIGINS: origins,
    /** Requests a minute one client address may make to GET /checkout/sessions/:id. */
    CHECKOUT_STATUS_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
    /** Proxies (load balancers) in front of the API whose X-Forwarded-For names the client; 0: none. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Bearer tokens of GET /access (the product's check); none: the routes do not exist (404). */
    ACCESS_API_TOKENS: secretList('bearer tokens (e.g. `openssl rand -hex 32`)'),
    ...payloadEncryption,
  })
  .superRefine(certPair)
  .transform(withPayloadKeys)
  .superRefine(encryptionInLiveMode((config) => acceptedLivemode(config) === true));

/** true = live, false = test, undefined = either (see STRIPE_MODE). */
export function acceptedLivemode(config: Pick<ApiConfig, 'STRIPE_MODE' | 'STRIPE_SECRET_KEY'>): boolean | undefined {
  if (config.STRIPE_MODE) return config.STRIPE_MODE === 'live';
  const prefix = /^(?:sk|rk)_(live|test)_/.exec(config.STRIPE_SECRET_KEY ?? '')?.[1];
  return prefix === undefined ? undefined : prefix === 'live';
}

/** The worker's pool when WORKER_DB_POOL_SIZE is unset: 8 connections for activity tasks (the emails,
 *  reconciliation, operator audits), 8 for local activities (the steps that give access). */
export const WORKER_DB_POOL_DEFAULT = 16;

/**
 * Bounded by construction: every activity and every local activity running at once
 * can hold a connection, so the two together never exceed the pool. A launch burst then never
 * leaves a transaction queueing for a connection until it times out. The SDK's defaults (100
 * of each) over a pool of 10 did exactly that. Unset, activity tasks (only reconciliation since
 * every step became a local activity, workflows/activity-calls.ts) get 2 connections, or 1 of a
 * pool of 2, and the steps (local activities: the database steps and the sends) the rest.
 */
const activitiesFitThePool = (
  config: { WORKER_DB_POOL_SIZE: number; WORKER_MAX_CONCURRENT_ACTIVITIES?: number; WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES?: number },
  ctx: z.RefinementCtx,
) => {
  const { remote, local } = activitySlots(config);
  if (remote + local > config.WORKER_DB_POOL_SIZE || local < 1) {
    ctx.addIssue({
      code: 'custom',
      path: [
        config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES === undefined
          ? 'WORKER_MAX_CONCURRENT_ACTIVITIES'
          : 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
      ],
      message:
        `WORKER_MAX_CONCURRENT_ACTIVITIES (${remote}) + WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES (${local}) must be at most ` +
        `WORKER_DB_POOL_SIZE (${config.WORKER_DB_POOL_SIZE}), each at least 1: each running activity may need a database connection`,
    });
  }
};

/** Activity tasks one worker runs at once when unset (half the pool, at most this): the emails, a reconciliation pass, an audit. */
const ACTIVITY_TASK_SLOTS_DEFAULT = 8;

function activitySlots(config: {
  WORKER_DB_POOL_SIZE: number;
  WORKER_MAX_CONCURRENT_ACTIVITIES?: number;
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES?: number;
}): { remote: number; local: number } {
  const pool = config.WORKER_DB_POOL_SIZE;
  const remote = config.WORKER_MAX_CONCURRENT_ACTIVITIES ?? Math.max(1, Math.min(ACTIVITY_TASK_SLOTS_DEFAULT, Math.floor(pool / 2)));
  return { remote, local: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES ?? pool - remote };
}

const workerSchema = z
  .object({
    ...shared,
    STRIPE_SECRET_KEY: required('a Stripe secret or restricted key, used to read checkout line items'),
    STRIPE_API_BASE: url.default('https://api.stripe.com'),
    POSTMARK_SERVER_TOKEN: required('the Postmark server API token'),
    POSTMARK_API_URL: url.default('https://api.postmarkapp.com'),
    POSTMARK_FROM: required('the sender address of the welcome email'),
    /** How long after a send whose answer was lost Postmark's message search is believed to say "not sent". */
    POSTMARK_SEARCH_LAG: duration.default(5 * 60_000),
    ...templateAliasVariables,
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
    /** Connections in the worker's PostgreSQL pool (at least 2: one for activities, one for local activities). */
    WORKER_DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(WORKER_DB_POOL_DEFAULT),
    /** Activity tasks (reconciliation) one worker runs at once (default: 2, or 1 of a pool of 2). */
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).optional(),
    /** Local activities (every step of a fulfillment) one worker runs at once (default: the rest of the pool). */
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).optional(),
    ...payloadEncryption,
    /**
     * The worker's CPU priority below the API's (a nice value; 0, the default, leaves it as started):
     * src/worker/cpu-priority.ts. Only where the host runs nothing else at normal priority: on the
     * shared bench machine at load 40, nice 10 starved the worker (docs/PERFORMANCE.md).
     */
    WORKER_NICE: z.coerce.number().int().min(0).max(19).default(0),
    /** The product's endpoint for access events (docs/integration.md); unset or empty (compose's default): access events are off. */
    APP_WEBHOOK_URL: z.union([z.literal('').transform(() => undefined), url]).optional(),
    /** Their signing secrets; the first signs (the product may accept several while rolling). */
    APP_WEBHOOK_SECRETS: secretList('signing secrets (e.g. `openssl rand -hex 32`)'),
    /** How often the `access-events-sweep` Schedule starts the delivery of events no run took. */
    APP_WEBHOOK_SWEEP_EVERY: atLeastAMinute.default(5 * 60_000),
  })
  .superRefine(certPair)
  .superRefine((config, ctx) => {
    if (config.APP_WEBHOOK_URL && config.APP_WEBHOOK_SECRETS.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['APP_WEBHOOK_SECRETS'],
        message: 'is required with APP_WEBHOOK_URL (the secret access events are signed with)',
      });
  })
  .superRefine(activitiesFitThePool)
  .transform((config, ctx) =>
    withPayloadKeys(
      (({ remote, local }) => ({ ...config, WORKER_MAX_CONCURRENT_ACTIVITIES: remote, WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: local }))(
        activitySlots(config),
      ),
      ctx,
    ),
  )
  .superRefine(encryptionInLiveMode((config) => liveKey(config.STRIPE_SECRET_KEY)));

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
    /** Whose X-Forwarded-Proto to believe (a TLS-terminating proxy in front): `on`, or its addresses/CIDRs; default none. */
    CODEC_TRUST_PROXY: z
      .string()
      .trim()
      .default('off')
      .transform((v): boolean | string[] =>
        v === 'off' || v === ''
          ? false
          : v === 'on'
            ? true
            : v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
      ),
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
