import type {ContainerDefinition, TaskDefinition} from '@aws-sdk/client-ecs'

import type {AwsClients} from '../../aws/clients.js'
import type {RunContext} from '../../aws/context.js'
import {type ConfigFile, type EnvConfig, resolveEnvironment, SERVICE_KEYS} from '../../config.js'
import {UserError} from '../../errors.js'
import {describeEnvServices, taskDefinition, taskDefinitionLabel} from '../../resources/ecs.js'
import {loadSecrets} from '../../resources/secrets.js'
import {shq} from '../../util/shell.js'

/**
 * Drift between two environments: which variable names, secret references, secret keys,
 * services and task sizes one has and the other does not. Names only: values differ by
 * design (hosts, settings module) and secret values are never read into a result.
 */

// ---------------------------------------------------------------- what an environment has

export interface ServiceFacts {
  key: string
  /** Task definition "family:revision". */
  taskDefinition: string
  container: string
  /** Names in the container's `environment`. */
  env: string[]
  /** Names in the container's `secrets` (secret references). */
  secrets: string[]
  cpu?: string
  memory?: string
  /** Image tag ("1.4.2") or digest ("sha256:…"), for information. */
  image?: string
  /** Why the container was not compared, when it was not found. */
  problem?: string
}

export type SecretFacts = {key: string; id: string} & (
  {state: 'found'; keys: string[]} | {state: 'missing'} | {state: 'invalid'; reason: string}
)

export interface EnvSnapshot {
  name: string
  cluster: string
  clusterMissing: boolean
  /** By service key; absent = the service was not found in the cluster. */
  services: Map<string, ServiceFacts>
  /** Service keys configured but not found. */
  missing: string[]
  /** Service name per key, for messages. */
  serviceNames: Map<string, string>
  secrets: Map<string, SecretFacts>
}

/** "…/repo:1.4.2" → "1.4.2"; "…/repo@sha256:ab…" → "sha256:ab…"; "host:5000/repo" → "latest". */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined
  const at = image.indexOf('@')
  if (at >= 0) return image.slice(at + 1)
  const name = image.slice(image.lastIndexOf('/') + 1)
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : 'latest'
}

/** The facts of one service's container (the configured one, or the only one). */
export function serviceFacts(key: string, containerName: string, td: TaskDefinition, arn: string): ServiceFacts {
  const label = td.family ? `${td.family}:${td.revision}` : taskDefinitionLabel(arn)
  const containers = td.containerDefinitions ?? []
  const c: ContainerDefinition | undefined =
    containers.find((x) => x.name === containerName) ?? (containers.length === 1 ? containers[0] : undefined)
  const sizes = {...(td.cpu && {cpu: td.cpu}), ...(td.memory && {memory: td.memory})}
  if (!c)
    return {
      key,
      taskDefinition: label,
      container: containerName,
      env: [],
      secrets: [],
      ...sizes,
      problem: `no container ${containerName} in ${label}`,
    }
  const names = (xs: {name?: string}[] | undefined): string[] => [
    ...new Set((xs ?? []).map((x) => x.name).filter((n): n is string => Boolean(n))),
  ]
  return {
    key,
    taskDefinition: label,
    container: c.name ?? containerName,
    env: names(c.environment),
    secrets: names(c.secrets),
    ...sizes,
    image: imageTag(c.image),
  }
}

/**
 * What an environment has: DescribeServices (memoised), each current task definition
 * (memoised) and the configured secrets' key names (one batch). A secret that could not be
 * read (AccessDenied) throws: the runner reports the check as `error` naming the action.
 */
export async function snapshot(ctx: RunContext): Promise<EnvSnapshot> {
  const {env} = ctx
  const [described, lookups] = await Promise.all([
    describeEnvServices(ctx),
    loadSecrets(
      ctx,
      env.secrets.map((s) => s.id),
    ),
  ])
  const services = new Map<string, ServiceFacts>()
  await Promise.all(
    env.services.map(async (s) => {
      const arn = described.services.get(s.key)?.taskDefinition
      if (arn) services.set(s.key, serviceFacts(s.key, s.container, await taskDefinition(ctx, arn), arn))
    }),
  )
  const secrets = new Map<string, SecretFacts>()
  for (const s of env.secrets) {
    const r = lookups.get(s.id)!
    if (r.state === 'error') throw r.error
    const base = {key: s.key, id: s.id}
    secrets.set(
      s.key,
      r.state === 'found'
        ? {...base, state: 'found', keys: Object.keys(r.json)}
        : r.state === 'invalid'
          ? {...base, state: 'invalid', reason: r.reason}
          : {...base, state: 'missing'},
    )
  }

  return {
    name: env.name,
    cluster: env.cluster,
    clusterMissing: described.clusterMissing,
    services,
    missing: described.missing,
    serviceNames: new Map(env.services.map((s) => [s.key, s.name])),
    secrets,
  }
}

/**
 * The check context of the other environment: its names, its region (config, else this
 * run's), the same account and credentials, and memo keys of its own.
 */
export function contextFor(ctx: RunContext, env: EnvConfig): RunContext {
  const region = env.region ?? ctx.region
  const override = region === ctx.region ? undefined : region
  const aws: AwsClients = {
    client: (Ctor, o) => ctx.aws.client(Ctor, {region: o?.region ?? override}),
    region: async () => region,
    options: {...ctx.aws.options, region},
    get calls() {
      return ctx.aws.calls
    },
    destroy() {}, // the run's factory owns the clients
  }
  return {...ctx, env, region, aws, memo: (key, load) => ctx.memo(`env:${env.name}:${key}`, load)}
}

/** --compare: the other environment's model, or a usage error (unknown, or the same one). */
export function resolveCompare(
  name: string,
  current: EnvConfig,
  loaded: {config: ConfigFile; source: string},
): EnvConfig {
  if (name === current.name) {
    throw new UserError(`--compare ${name} is the environment being validated: compare with another one.`, {
      code: 'COMPARE_SAME_ENVIRONMENT',
      suggestions: [
        `allthrive validate --environment ${shq(name)} --compare ${name === 'production' ? 'staging' : 'production'}`,
      ],
    })
  }

  try {
    return resolveEnvironment(name, loaded)
  } catch (error) {
    if (error instanceof UserError)
      throw new UserError(error.message.replace('Unknown environment', 'Unknown --compare environment'), {
        code: error.code,
        suggestions: error.suggestions.map((s) => s.replace('--environment', '--compare')),
      })
    throw error
  }
}

// ---------------------------------------------------------------- differences

export type DriftKind = 'service' | 'env' | 'secret' | 'secret-exists' | 'secret-key' | 'cpu' | 'memory'

export interface Difference {
  /** What drift.allow matches: "web:env:DEBUG", "celery:secret:X", "web:cpu", "weaviate:service", "secret:app:KEY", "secret:app". */
  id: string
  kind: DriftKind
  /** One line naming the service or secret. */
  detail: string
  /** The environment that has it (presence differences). */
  onlyIn?: string
  /** fail / warn: a finding; pass: a note (sizes). */
  status: 'fail' | 'warn' | 'pass'
}

/**
 * Presence differences warn: drift is a risk, not an outage. One fails: a variable or secret
 * reference that the other environment's task definition sets and production's does not,
 * because promoting the other environment's image to production would start a container
 * without it. Secret keys only warn: a key matters once a task definition references it, and
 * such a reference is compared here and resolved by ecs-env. Sizes are notes, never a status.
 */
/** The roles first, then any other service either environment has. */
const serviceKeysOf = (...snaps: EnvSnapshot[]): string[] => [
  ...new Set([...SERVICE_KEYS, ...snaps.flatMap((s) => [...s.serviceNames.keys()])]),
]

export function compareSnapshots(current: EnvSnapshot, other: EnvSnapshot): Difference[] {
  const out: Difference[] = []
  const presence = (kind: DriftKind, id: string, what: (onlyIn: string) => string, a: boolean, b: boolean): void => {
    if (a === b) return
    const onlyIn = a ? current.name : other.name
    const fatal = current.name === 'production' && !a && (kind === 'env' || kind === 'secret')
    out.push({id, kind, detail: what(onlyIn), onlyIn, status: fatal ? 'fail' : 'warn'})
  }

  const sets = (xs: string[], ys: string[]): string[] => [...new Set([...xs, ...ys])].sort()
  for (const key of serviceKeysOf(current, other)) {
    const a = current.services.get(key)
    const b = other.services.get(key)
    if (!a || !b) {
      if (current.clusterMissing || other.clusterMissing) continue
      const missingIn = a ? other : current
      if (a || b)
        presence(
          'service',
          `${key}:service`,
          (e) => `${key}: service only in ${e} (${missingIn.serviceNames.get(key)} not found)`,
          Boolean(a),
          Boolean(b),
        )
      continue
    }

    if (a.problem || b.problem) continue // a note, see notesFor
    for (const [kind, here, there] of [
      ['env', a.env, b.env],
      ['secret', a.secrets, b.secrets],
    ] as const) {
      for (const name of sets(here, there)) {
        presence(
          kind,
          `${key}:${kind}:${name}`,
          (e) => `${key}: ${kind} ${name} only in ${e}`,
          here.includes(name),
          there.includes(name),
        )
      }
    }

    for (const size of ['cpu', 'memory'] as const) {
      if (a[size] && b[size] && a[size] !== b[size]) {
        out.push({
          id: `${key}:${size}`,
          kind: size,
          detail: `${key}: ${size} ${a[size]} (${current.name}) vs ${b[size]} (${other.name})`,
          status: 'pass',
        })
      }
    }
  }

  for (const [secret, a] of current.secrets) {
    const b = other.secrets.get(secret)
    if (!b) continue // configured for one environment only: not drift
    if (a.state === 'missing' || b.state === 'missing') {
      const absent = a.state === 'missing' ? a : b
      presence(
        'secret-exists',
        `secret:${secret}`,
        (e) => `secret ${secret}: exists only in ${e} (${absent.id} not found)`,
        a.state !== 'missing',
        b.state !== 'missing',
      )
      continue
    }

    if (a.state !== 'found' || b.state !== 'found') continue // a note, see notesFor
    for (const name of sets(a.keys, b.keys)) {
      presence(
        'secret-key',
        `secret:${secret}:${name}`,
        (e) => `secret ${secret}: key ${name} only in ${e}`,
        a.keys.includes(name),
        b.keys.includes(name),
      )
    }
  }

  return out
}

/** What could not be compared, one line each. */
export function notesFor(current: EnvSnapshot, other: EnvSnapshot): string[] {
  const notes: string[] = []
  for (const snap of [current, other]) {
    if (snap.clusterMissing) notes.push(`${snap.name}: cluster ${snap.cluster} not found; services not compared`)
    for (const f of snap.services.values())
      if (f.problem) notes.push(`${f.key}: ${f.problem} (${snap.name}); not compared`)
    for (const s of snap.secrets.values())
      if (s.state === 'invalid') notes.push(`secret ${s.key}: keys not compared, ${s.id} ${s.reason}`)
  }

  if (!current.clusterMissing && !other.clusterMissing) {
    for (const key of serviceKeysOf(current, other)) {
      if (current.missing.includes(key) && other.missing.includes(key))
        notes.push(`${key}: service found in neither environment; not compared`)
    }
  }

  return notes
}

// ---------------------------------------------------------------- drift.allow

/**
 * drift.allow entries: `<service>:env:<NAME>`, `<service>:secret:<NAME>`, `<service>:cpu`,
 * `<service>:memory`, `<service>:service`, `secret:<secret>:<KEY>`, `secret:<secret>`;
 * `*` matches any run of characters (":" included), matching is case-sensitive.
 * An entry of no known shape is returned as invalid (it could never match).
 */
export function parseAllow(
  entries: string[],
  keys: readonly string[] = SERVICE_KEYS,
): {patterns: {entry: string; re: RegExp}[]; invalid: string[]} {
  const patterns: {entry: string; re: RegExp}[] = []
  const invalid: string[] = []
  // The roles, or the short name of another service of the environment (celery-ai).
  const serviceOk = (s: string): boolean => s.includes('*') || keys.includes(s)
  for (const raw of entries) {
    const entry = raw.trim()
    const parts = entry.split(':')
    const ok =
      (parts.length === 1 && entry.includes('*')) ||
      (parts[0] === 'secret' && (parts.length === 2 || parts.length === 3) && parts.every(Boolean)) ||
      (parts.length === 3 && serviceOk(parts[0]) && ['env', 'secret', '*'].includes(parts[1]) && parts[2] !== '') ||
      (parts.length === 2 &&
        serviceOk(parts[0]) &&
        (['cpu', 'memory', 'service'].includes(parts[1]) || parts[1].includes('*')))
    if (!ok) {
      invalid.push(raw)
      continue
    }

    const source = entry
      .split('*')
      .map((s) => s.replaceAll(/[.+?^${}()|[\]\\]/g, String.raw`\$&`))
      .join('.*')
    patterns.push({entry, re: new RegExp(`^${source}$`)})
  }

  return {patterns, invalid}
}

/** Splits differences into reported and allowed; lists allow entries that matched nothing. */
export function applyAllow(
  diffs: Difference[],
  entries: string[],
  keys?: readonly string[],
): {reported: Difference[]; allowed: Difference[]; invalid: string[]; unused: string[]} {
  const {patterns, invalid} = parseAllow(entries, keys)
  const used = new Set<string>()
  const reported: Difference[] = []
  const allowed: Difference[] = []
  for (const d of diffs) {
    const hit = patterns.filter((p) => p.re.test(d.id))
    for (const p of hit) used.add(p.entry)
    ;(hit.length > 0 ? allowed : reported).push(d)
  }

  return {reported, allowed, invalid, unused: [...new Set(patterns.map((p) => p.entry))].filter((e) => !used.has(e))}
}
