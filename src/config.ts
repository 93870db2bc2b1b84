import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'
import {
  array,
  boolean,
  config,
  gte,
  int,
  lte,
  minLength,
  nonnegative,
  number,
  optional,
  positive,
  record,
  regex,
  strictObject,
  string,
  url,
  type infer as Infer,
} from 'zod/mini'
import en from 'zod/v4/locales/en.js'

import {closest, UserError} from './errors.js'

/**
 * The environment model. Every name follows the platform's naming convention
 * (see README "Environment model"), so no configuration is needed; an optional
 * `allthrive.config.json` in the working directory overrides names, adds
 * environments and sets thresholds.
 */

/** The known roles: services with role expectations of their own (the platform may run more services). */
export const SERVICE_KEYS = ['web', 'celery', 'celery-beat', 'weaviate'] as const
export type ServiceKey = (typeof SERVICE_KEYS)[number]
export const isRole = (key: string): key is ServiceKey => (SERVICE_KEYS as readonly string[]).includes(key)

export const SECRET_KEYS = ['ai/api-keys', 'oauth/credentials', 'stripe/credentials', 'database', 'app'] as const

export const CONFIG_FILE = 'allthrive.config.json'
export const DEFAULT_ENVIRONMENT = 'production'
export const BUILT_IN_ENVIRONMENTS = ['production', 'staging']

/** Keys each secret must hold (the platform's Secrets Manager structure). */
const SECRET_EXPECTED_KEYS: Record<(typeof SECRET_KEYS)[number], string[]> = {
  'ai/api-keys': ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GOOGLE_API_KEY'],
  'oauth/credentials': ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
  'stripe/credentials': ['STRIPE_PUBLIC_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  database: ['DATABASE_URL'],
  app: ['SECRET_KEY', 'SENTRY_DSN'],
}

/** Variables each container needs, set either in `environment` or in `secrets` of its task definition. */
const DJANGO_ENV = ['DJANGO_SETTINGS_MODULE', 'DATABASE_URL', 'REDIS_URL', 'SECRET_KEY']
const REQUIRED_ENV: Record<ServiceKey, string[]> = {
  web: [...DJANGO_ENV, 'WEAVIATE_URL', 'OPENAI_API_KEY', 'STRIPE_SECRET_KEY'],
  celery: [...DJANGO_ENV, 'WEAVIATE_URL', 'OPENAI_API_KEY'],
  'celery-beat': DJANGO_ENV,
  weaviate: ['PERSISTENCE_DATA_PATH'],
}

// ---------------------------------------------------------------- schema

/**
 * The file's schema in zod's tree-shakable form (zod/mini: functions instead of methods), so the
 * bundle holds only the validators used here (some 20 KB, not zod's 600 KB) and needs no lazy load.
 * Messages in English, as zod's full build gives them.
 */
function buildSchemas() {
  config(en())
  const name = string().check(minLength(1))
  const duration = string().check(regex(/^\d+\s*(s|m|h|d)$/, 'must be a duration such as 30s, 15m, 2h or 1d'))
  const count = (...checks: Parameters<ReturnType<typeof number>['check']>) =>
    optional(number().check(int(), ...checks))
  const section = <T extends Parameters<typeof strictObject>[0]>(shape: T) => optional(strictObject(shape))

  const ThresholdsSchema = strictObject({
    /** Per-check time budget in seconds. */
    checkTimeoutSeconds: optional(number().check(positive())),
    rds: section({
      caCertificateMinDays: count(nonnegative()),
      storageWarnFreePercent: optional(number().check(gte(0), lte(100))),
      storageFailFreePercent: optional(number().check(gte(0), lte(100))),
    }),
    certificates: section({warnDays: count(nonnegative()), failDays: count(nonnegative())}),
    cloudwatchErrors: section({
      since: optional(duration),
      warnAt: count(positive()),
      failAt: count(positive()),
      topMessages: count(positive(), lte(50)),
      maxEventsPerGroup: count(positive()),
    }),
    ecsServices: section({stoppedTasksShown: count(nonnegative(), lte(100))}),
    alb: section({minIdleTimeoutSeconds: count(positive())}),
    health: section({maxLatencyMs: count(positive()), certificateMinDays: count(nonnegative())}),
    probes: section({timeoutMs: count(positive())}),
  })

  const ServiceSchema = strictObject({
    name: optional(name),
    container: optional(name),
    logGroup: optional(name),
    requiredEnv: optional(array(name)),
  })

  const SecretSchema = strictObject({
    id: optional(name),
    keys: optional(array(name)),
  })

  const EnvironmentSchema = strictObject({
    region: optional(string()),
    /** Commands that change things ask for confirmation (default: production only). */
    protected: optional(boolean()),
    cluster: optional(name),
    /** Keyed by role (web, celery, celery-beat, weaviate) or by any other service's short name (celery-ai). */
    services: optional(
      record(
        string().check(regex(/^[a-z0-9][a-z0-9-]*$/, 'service keys are lowercase letters, digits and hyphens')),
        ServiceSchema,
      ),
    ),
    secrets: optional(record(name, SecretSchema)),
    buckets: section({frontend: optional(name), media: optional(name), backups: optional(name)}),
    rds: section({
      instanceId: optional(name),
      expectMultiAz: optional(boolean()),
      expectDeletionProtection: optional(boolean()),
    }),
    redis: section({replicationGroupId: optional(name)}),
    alb: section({name: optional(name)}),
    domains: optional(array(name).check(minLength(1))),
    cloudfrontDomains: optional(array(name)),
    cloudfront: section({distributionId: optional(name)}),
    healthUrl: optional(url()),
    alarms: section({
      prefix: optional(name),
      tag: section({key: name, value: name}),
    }),
    drift: section({
      /** Differences that are by design, e.g. "web:env:DEBUG", "celery:secret:SENTRY_DSN", "*:cpu". */
      allow: optional(array(name)),
    }),
    exec: section({command: optional(name)}),
    migrate: section({
      command: optional(array(name).check(minLength(1))),
      planCommand: optional(array(name).check(minLength(1))),
    }),
    thresholds: optional(ThresholdsSchema),
  })

  const ConfigFileSchema = strictObject({
    $schema: optional(string()),
    defaults: section({
      region: optional(string()),
      thresholds: optional(ThresholdsSchema),
    }),
    environments: optional(
      record(
        string().check(regex(/^[a-z][a-z0-9-]*$/, 'environment names are lowercase letters, digits and hyphens')),
        EnvironmentSchema,
      ),
    ),
  })

  return {ThresholdsSchema, ServiceSchema, EnvironmentSchema, ConfigFileSchema}
}

type Schemas = ReturnType<typeof buildSchemas>
let schemas: Schemas | undefined
export const configSchemas = (): Schemas => (schemas ??= buildSchemas())

export type ConfigFile = Infer<Schemas['ConfigFileSchema']>
type EnvironmentOverrides = Infer<Schemas['EnvironmentSchema']>

// ---------------------------------------------------------------- resolved model

/** Where a resolved name came from (config show). */
export type NameSource = 'config file' | 'convention' | 'discovered'

/** How the cluster was found (set by discovery). */
export interface ClusterOrigin {
  source: NameSource
  /** "configured name", "naming convention <env>-allthrive-cluster", "tags Project=allthrive, Environment=<env>". */
  how: string
  /** false: nothing was found; `searched` says where we looked. */
  found: boolean
  searched: string[]
}

export interface ServiceConfig {
  /** The role (web, celery, celery-beat, weaviate), or another service's short name (celery-ai). */
  key: string
  /** Set for the known roles: their own expectations apply. */
  role?: ServiceKey
  name: string
  container: string
  logGroup: string
  /** awslogs-stream-prefix from the task definition: streams are `<prefix>/<container>/<taskId>`. */
  logStreamPrefix?: string
  /** Set when the container does not log with awslogs: where its logs go, and that they cannot be read here. */
  logElsewhere?: string
  requiredEnv: string[]
  /** Where each name came from, when known (config show). */
  sources?: Partial<Record<'name' | 'container' | 'logGroup', NameSource>>
}

export interface SecretConfig {
  /** Short name used in output ("database"). */
  key: string
  /** SecretId passed to Secrets Manager ("production/allthrive/database"). */
  id: string
  /** JSON keys the secret must hold. */
  keys: string[]
}

export interface Thresholds {
  checkTimeoutSeconds: number
  rds: {caCertificateMinDays: number; storageWarnFreePercent: number; storageFailFreePercent: number}
  certificates: {warnDays: number; failDays: number}
  cloudwatchErrors: {since: string; warnAt: number; failAt: number; topMessages: number; maxEventsPerGroup: number}
  ecsServices: {stoppedTasksShown: number}
  alb: {minIdleTimeoutSeconds: number}
  health: {maxLatencyMs: number; certificateMinDays: number}
  probes: {timeoutMs: number}
}

export interface EnvConfig {
  name: string
  /** Region from config; undefined means "resolve from --region / AWS_REGION / the profile". */
  region: string | undefined
  /** Changes (migrate, cache clear) need confirmation or --yes. */
  protected: boolean
  cluster: string
  /** Set once discovery has looked for the cluster in the account. */
  clusterOrigin?: ClusterOrigin
  services: ServiceConfig[]
  secrets: SecretConfig[]
  buckets: {frontend: string; media: string; backups: string}
  rds: {instanceId: string; expectMultiAz: boolean; expectDeletionProtection: boolean}
  redis: {replicationGroupId: string}
  alb: {name: string}
  /** Domains the environment must serve (config only; [] = judge what is served). */
  domains: string[]
  /** Domains the CloudFront distribution must answer for (config only; defaults to `domains` when those are set). */
  cloudfrontDomains: string[]
  /** CloudFront distribution; undefined = find it by the environment's domains (aliases). */
  cloudfront: {distributionId: string | undefined}
  /** The API health endpoint (answers 2xx when the app is up). */
  healthUrl: string
  /** CloudWatch alarms of the environment: by name prefix, or by tag when set. */
  alarms: {prefix: string; tag: {key: string; value: string} | undefined}
  /** Drift between environments that is by design. */
  drift: {allow: string[]}
  /** Default command of `allthrive exec`. */
  exec: {command: string}
  /** Commands run by `allthrive migrate` (and `--plan`) in the web container. */
  migrate: {command: string[]; planCommand: string[]}
  thresholds: Thresholds
  /** Where the configuration came from, for `config show`. */
  source: string
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  checkTimeoutSeconds: 20,
  rds: {caCertificateMinDays: 30, storageWarnFreePercent: 20, storageFailFreePercent: 10},
  certificates: {warnDays: 30, failDays: 7},
  cloudwatchErrors: {since: '15m', warnAt: 1, failAt: 50, topMessages: 5, maxEventsPerGroup: 5000},
  ecsServices: {stoppedTasksShown: 3},
  alb: {minIdleTimeoutSeconds: 120},
  health: {maxLatencyMs: 2000, certificateMinDays: 30},
  probes: {timeoutMs: 3000},
}

function mergeThresholds(base: Thresholds, over: Infer<Schemas['ThresholdsSchema']> | undefined): Thresholds {
  if (!over) return base
  return {
    checkTimeoutSeconds: over.checkTimeoutSeconds ?? base.checkTimeoutSeconds,
    rds: {...base.rds, ...over.rds},
    certificates: {...base.certificates, ...over.certificates},
    cloudwatchErrors: {...base.cloudwatchErrors, ...over.cloudwatchErrors},
    ecsServices: {...base.ecsServices, ...over.ecsServices},
    alb: {...base.alb, ...over.alb},
    health: {...base.health, ...over.health},
    probes: {...base.probes, ...over.probes},
  }
}

/** The model for an environment with no configuration at all. */
export function conventionFor(env: string): Omit<EnvConfig, 'source'> {
  const p = `${env}-allthrive`
  const production = env === 'production'
  return {
    name: env,
    region: undefined,
    protected: production,
    cluster: `${p}-cluster`,
    services: SERVICE_KEYS.map((key) => ({
      key,
      role: key,
      name: `${p}-${key}`,
      container: key,
      logGroup: `/ecs/${p}-${key}`,
      requiredEnv: REQUIRED_ENV[key],
    })),
    secrets: SECRET_KEYS.map((key) => ({key, id: `${env}/allthrive/${key}`, keys: SECRET_EXPECTED_KEYS[key]})),
    buckets: {frontend: `${p}-frontend`, media: `${p}-media`, backups: `${p}-backups`},
    rds: {instanceId: `${p}-db`, expectMultiAz: production, expectDeletionProtection: production},
    redis: {replicationGroupId: `${p}-redis`},
    alb: {name: `${p}-alb`},
    // Not guessed: the domains served are read from the ALB's and CloudFront's certificates and aliases.
    domains: [],
    cloudfrontDomains: [],
    cloudfront: {distributionId: undefined},
    healthUrl: production ? 'https://api.allthrive.ai/api/health/' : `https://api.${env}.allthrive.ai/api/health/`,
    alarms: {prefix: p, tag: undefined},
    drift: {allow: []},
    exec: {command: '/bin/bash'},
    migrate: {
      command: ['python', 'manage.py', 'migrate', '--noinput'],
      planCommand: ['python', 'manage.py', 'migrate', '--plan'],
    },
    thresholds: DEFAULT_THRESHOLDS,
  }
}

function withOverrides(s: ServiceConfig, over: Infer<Schemas['ServiceSchema']> | undefined): ServiceConfig {
  if (!over) return s
  const fromFile = (field: 'name' | 'container' | 'logGroup') => (over[field] ? {[field]: 'config file' as const} : {})
  const sources = {...s.sources, ...fromFile('name'), ...fromFile('container'), ...fromFile('logGroup')}
  return {...s, ...over, ...(Object.keys(sources).length > 0 && {sources})}
}

function applyOverrides(
  base: Omit<EnvConfig, 'source'>,
  o: EnvironmentOverrides,
  defaults: ConfigFile['defaults'],
): Omit<EnvConfig, 'source'> {
  const secrets = base.secrets.map((s) => ({
    ...s,
    id: o.secrets?.[s.key]?.id ?? s.id,
    keys: o.secrets?.[s.key]?.keys ?? s.keys,
  }))
  for (const [key, s] of Object.entries(o.secrets ?? {})) {
    if (secrets.some((x) => x.key === key)) continue
    secrets.push({key, id: s.id ?? `${base.name}/allthrive/${key}`, keys: s.keys ?? []})
  }

  const domains = o.domains ?? base.domains
  return {
    ...base,
    region: o.region ?? defaults?.region ?? base.region,
    protected: o.protected ?? base.protected,
    cluster: o.cluster ?? base.cluster,
    services: [
      ...base.services.map((s) => withOverrides(s, o.services?.[s.key])),
      // Services beyond the four roles, named in the config file (discovery adds the others).
      ...Object.entries(o.services ?? {})
        .filter(([key]) => !isRole(key))
        .map(([key, over]) =>
          withOverrides(
            {
              key,
              name: `${base.name}-allthrive-${key}`,
              container: key,
              logGroup: `/ecs/${base.name}-allthrive-${key}`,
              requiredEnv: [],
            },
            over,
          ),
        ),
    ],
    secrets,
    buckets: {...base.buckets, ...o.buckets},
    rds: {...base.rds, ...o.rds},
    redis: {...base.redis, ...o.redis},
    alb: {...base.alb, ...o.alb},
    domains,
    cloudfrontDomains: o.cloudfrontDomains ?? (o.domains ? domains : base.cloudfrontDomains),
    cloudfront: {...base.cloudfront, ...o.cloudfront},
    healthUrl: o.healthUrl ?? base.healthUrl,
    alarms: {...base.alarms, ...o.alarms},
    drift: {allow: o.drift?.allow ?? base.drift.allow},
    exec: {...base.exec, ...o.exec},
    migrate: {...base.migrate, ...o.migrate},
    thresholds: mergeThresholds(mergeThresholds(base.thresholds, defaults?.thresholds), o.thresholds),
  }
}

/** Formats a zod issue path as `environments.staging.rds.expectMultiAz`. */
function issuePath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replaceAll('.[', '[') || '(root)'
  )
}

/** Parses and validates a config file's text. Errors name the file and the field. */
export function parseConfigFile(text: string, file: string): ConfigFile {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}.`, {
      code: 'CONFIG_INVALID',
      suggestions: [`Fix the JSON syntax in ${file}, or remove the file to use the naming convention.`],
    })
  }

  const result = configSchemas().ConfigFileSchema.safeParse(raw)
  if (result.success) return result.data
  // A record key that breaks its rule says which rule ("service keys are lowercase…"), not only "Invalid key in record".
  const message = (i: (typeof result.error.issues)[number]): string =>
    i.code === 'invalid_key' && i.issues[0]?.message ? `invalid key: ${i.issues[0].message}` : i.message
  const problems = result.error.issues.slice(0, 5).map((i) => `${issuePath(i.path)}: ${message(i)}`)
  throw new UserError(`${file} is invalid: ${problems.join('; ')}.`, {
    code: 'CONFIG_INVALID',
    suggestions: [
      `Fix the field${problems.length > 1 ? 's' : ''} named above in ${file}; see README "Configuration file" for the schema.`,
    ],
  })
}

/** Where the configuration file is looked up; each field defaults to the process's. */
export interface ConfigLookup {
  /** --config (or ALLTHRIVE_CONFIG): this file and no other; it must exist. */
  file?: string
  cwd?: string
  /** Variables read: XDG_CONFIG_HOME. */
  env?: Record<string, string | undefined>
  home?: string
}

/** The user's config file: $XDG_CONFIG_HOME/allthrive/config.json, else ~/.config/allthrive/config.json. */
export function userConfigFile(env: Record<string, string | undefined> = process.env, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'allthrive', 'config.json')
}

/**
 * The configuration file: --config FILE (or ALLTHRIVE_CONFIG), else ./allthrive.config.json, else the user's
 * ($XDG_CONFIG_HOME/allthrive/config.json), else none (the naming convention alone). A string is the cwd.
 */
export function loadConfigFile(where: string | ConfigLookup = {}): {config: ConfigFile; source: string} {
  const lookup = typeof where === 'string' ? {cwd: where} : where
  const cwd = lookup.cwd ?? process.cwd()
  if (lookup.file) {
    const file = resolve(cwd, lookup.file)
    if (!existsSync(file)) {
      throw new UserError(`Configuration file ${file} (--config or ALLTHRIVE_CONFIG) does not exist.`, {
        code: 'CONFIG_NOT_FOUND',
        suggestions: [
          `Check the path, or leave out --config (and unset ALLTHRIVE_CONFIG) to use ./${CONFIG_FILE} or ${userConfigFile(lookup.env, lookup.home)}.`,
        ],
      })
    }

    return {config: parseConfigFile(readFileSync(file, 'utf8'), file), source: file}
  }

  for (const file of [join(cwd, CONFIG_FILE), userConfigFile(lookup.env, lookup.home)]) {
    if (existsSync(file)) return {config: parseConfigFile(readFileSync(file, 'utf8'), file), source: file}
  }

  return {config: {}, source: `naming convention (no ${CONFIG_FILE}, no ${userConfigFile(lookup.env, lookup.home)})`}
}

export function knownEnvironments(config: ConfigFile): string[] {
  return [...new Set([...BUILT_IN_ENVIRONMENTS, ...Object.keys(config.environments ?? {})])]
}

/**
 * Resolves `--environment` against the convention and the config file. An unknown name is an
 * error listing the known environments (and `alsoKnown`: those found in the account), unless
 * `allowUnknown` (the account has it: the convention applies).
 */
export function resolveEnvironment(
  env: string,
  loaded: {config: ConfigFile; source: string},
  opts: {allowUnknown?: boolean; alsoKnown?: string[]; note?: string} = {},
): EnvConfig {
  const known = [...new Set([...knownEnvironments(loaded.config), ...(opts.alsoKnown ?? [])])]
  if (!known.includes(env) && !opts.allowUnknown) {
    const guess = closest(env, known)
    throw new UserError(`Unknown environment "${env}". Known environments: ${known.join(', ')}.${opts.note ?? ''}`, {
      code: 'UNKNOWN_ENVIRONMENT',
      suggestions: [
        ...(guess ? [`Did you mean --environment ${guess}?`] : []),
        `Add "${env}" under "environments" in ${CONFIG_FILE} to define a new environment; see them all with: allthrive environments`,
      ],
    })
  }

  const overrides = loaded.config.environments?.[env] ?? {}
  const source = known.includes(env) || !opts.allowUnknown ? loaded.source : 'found in the account (naming convention)'
  return {...applyOverrides(conventionFor(env), overrides, loaded.config.defaults), source}
}

/** The service a user named: its key (web, celery-ai) or its full ECS name; undefined when the environment has none such. */
export function findService(env: EnvConfig, name: string): ServiceConfig | undefined {
  return env.services.find((s) => s.key === name) ?? env.services.find((s) => s.name === name)
}

/** "Unknown service "wbe". Valid services: web, celery, …" with a did-you-mean: a usage error (exit 2). */
export function unknownServiceError(env: EnvConfig, name: string, more: string[] = []): UserError {
  const keys = env.services.map((s) => s.key)
  const guess = closest(name, keys)
  return new UserError(`Unknown service "${name}". Valid services: ${keys.join(', ')}.`, {
    code: 'UNKNOWN_SERVICE',
    suggestions: [...(guess ? [`Did you mean ${guess}?`] : []), ...more],
  })
}

export function serviceByKey(env: EnvConfig, key: string): ServiceConfig {
  return env.services.find((s) => s.key === key)!
}
