import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  paginateListTasks,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'

import type {RunContext} from '../aws/context.js'
import {chunk} from '../util/concurrency.js'
import type {EnvConfig, ServiceConfig} from '../config.js'

/** The environment's ECS services as one read (ListServices + DescribeServices), shared by every check of a run. */
export interface EnvServices {
  /**
   * Every service of the environment by key (ACTIVE, DRAINING or INACTIVE): the configured roles
   * and services first, then any other service of the cluster under its short name (celery-ai).
   */
  services: Map<string, Service>
  /** Configured services ECS did not return (failure reason MISSING, or absent). */
  missing: string[]
  /** The cluster itself does not exist (then every service is missing). */
  clusterMissing: boolean
  /** The services of the cluster that no configured entry names, as service models (key = short name). */
  others: ServiceConfig[]
}

const DESCRIBE_SERVICES_LIMIT = 10
const DESCRIBE_TASKS_LIMIT = 100
const DESCRIBE_CLUSTERS_LIMIT = 100

/** Name prefixes of an environment's services, most specific first: `<env>-allthrive-`, `allthriveai-<env>-`… */
export function servicePrefixes(envName: string, cluster: string): string[] {
  const base = cluster.endsWith('-cluster') ? cluster.slice(0, -'-cluster'.length) : cluster
  return [...new Set([`${envName}-allthrive-`, `allthriveai-${envName}-`, `${base}-`, `${cluster}-`, `${envName}-`])]
}

/** "production-allthrive-celery-ai" → "celery-ai": the name without the environment's prefix (else the full name). */
export function shortServiceName(name: string, envName: string, cluster: string): string {
  const prefix = servicePrefixes(envName, cluster).find((p) => name.startsWith(p) && name.length > p.length)
  return prefix ? name.slice(prefix.length) : name
}

/**
 * The name a configured service most likely has: the configured name, else that of the cluster's convention
 * (`allthriveai-<env>-<key>` in the cluster `allthriveai-<env>`, else the configured default).
 */
export function likelyName(env: EnvConfig, s: ServiceConfig): string {
  if (s.sources?.name === 'config file' || env.cluster !== `allthriveai-${env.name}`) return s.name
  return `allthriveai-${env.name}-${s.key}`
}

/** The names a configured service may have: its configured name, else the naming conventions for its key. */
export function serviceCandidates(env: EnvConfig, s: ServiceConfig): string[] {
  if (s.sources?.name === 'config file') return [s.name]
  return [
    ...new Set([
      s.name,
      ...servicePrefixes(env.name, env.cluster)
        .slice(0, 3)
        .map((p) => `${p}${s.key}`),
    ]),
  ]
}

/** The service ARNs of a cluster: ListServices, every page (a bounded loop: ECS pages by 100 at most). */
export async function listServiceArns(ctx: RunContext, cluster = ctx.env.cluster): Promise<string[]> {
  const client = ctx.aws.client(ECSClient)
  const arns: string[] = []
  let nextToken: string | undefined
  for (let page = 0; page < 100; page++) {
    const input = {cluster, nextToken, maxResults: 100}
    const out = await client.send(new ListServicesCommand(input), {abortSignal: ctx.signal})
    arns.push(...(out?.serviceArns ?? []))
    nextToken = out?.nextToken
    if (!nextToken) break
  }

  return arns
}

/** DescribeServices for any number of names: one call per 10, concurrently. The only caller of DescribeServices. */
export async function describeServicesOf(
  ctx: Pick<RunContext, 'aws' | 'signal'> & {region?: string},
  cluster: string,
  names: string[],
): Promise<Service[]> {
  const client = ctx.region ? ctx.aws.client(ECSClient, {region: ctx.region}) : ctx.aws.client(ECSClient)
  const outs = await Promise.all(
    chunk([...new Set(names)], DESCRIBE_SERVICES_LIMIT).map((services) =>
      client.send(new DescribeServicesCommand({cluster, services}), {abortSignal: ctx.signal}),
    ),
  )
  return outs.flatMap((o) => o?.services ?? [])
}

/**
 * Every service of the environment, read once per run (memo `ecs:services`): DescribeServices (10 per
 * call) for the configured services' likely names while ListServices lists the cluster (all pages), then
 * for the cluster's other services.
 * Configured services are matched by name (configured, else the conventions); the cluster's
 * other services come under their short names, so they get every generic check.
 */
export function describeEnvServices(ctx: RunContext): Promise<EnvServices> {
  return ctx.memo('ecs:services', async () => {
    const {env} = ctx
    const configured = env.services
    let found: Service[]
    try {
      // The configured services are described by the name they most likely have (the configured one, or the
      // convention of the cluster found) while ListServices answers; the cluster's other services wait for the list.
      const guesses = [...new Set(configured.map((s) => likelyName(env, s)))]
      const [arns, named] = await Promise.all([listServiceArns(ctx), describeServicesOf(ctx, env.cluster, guesses)])
      const others = [...new Set(arns.map((arn) => arn.split('/').pop()!))].filter((n) => !guesses.includes(n))
      found = others.length > 0 ? [...named, ...(await describeServicesOf(ctx, env.cluster, others))] : named
    } catch (error) {
      if (error instanceof ClusterNotFoundException) {
        return {services: new Map(), missing: configured.map((s) => s.key), clusterMissing: true, others: []}
      }

      throw error
    }

    const services = new Map<string, Service>()
    const claimed = new Set<Service>()
    for (const s of configured) {
      // A deleted and re-created service can come back twice: prefer the ACTIVE one, by the most specific name.
      for (const candidate of serviceCandidates(env, s)) {
        const named = (f: Service): boolean => f.serviceName === candidate || f.serviceArn === candidate
        const matches = found.filter((f) => !claimed.has(f) && named(f))
        const svc = matches.find((f) => f.status === 'ACTIVE') ?? matches[0]
        if (!svc) continue
        services.set(s.key, svc)
        for (const m of matches) claimed.add(m)
        break
      }
    }

    const others: ServiceConfig[] = []
    for (const svc of found) {
      if (claimed.has(svc) || svc.status === 'INACTIVE' || !svc.serviceName) continue
      if (others.some((o) => o.name === svc.serviceName)) continue
      const short = shortServiceName(svc.serviceName, env.name, env.cluster)
      const key = services.has(short) || others.some((o) => o.key === short) ? svc.serviceName : short
      services.set(key, svc)
      const name = svc.serviceName
      const sources = {name: 'discovered' as const}
      others.push({key, name, container: short, logGroup: `/ecs/${name}`, requiredEnv: [], sources})
    }

    const missing = configured.filter((s) => !services.has(s.key)).map((s) => s.key)
    return {services, missing, clusterMissing: false, others}
  })
}

/** An ECS cluster of the account with its tags. */
export interface ClusterFacts {
  name: string
  arn: string
  status?: string
  tags: Record<string, string>
}

/** Every cluster of the account in the region, with tags, once per run: ListClusters, DescribeClusters per 100. */
export function accountClusters(ctx: Pick<RunContext, 'aws' | 'signal' | 'memo'>): Promise<ClusterFacts[]> {
  return ctx.memo('ecs:clusters', async () => {
    const client = ctx.aws.client(ECSClient)
    const arns: string[] = []
    let nextToken: string | undefined
    for (let page = 0; page < 100; page++) {
      const out = await client.send(new ListClustersCommand({nextToken, maxResults: 100}), {abortSignal: ctx.signal})
      arns.push(...(out?.clusterArns ?? []))
      nextToken = out?.nextToken
      if (!nextToken) break
    }

    return describeClusters(ctx, arns)
  })
}

/**
 * The clusters of these names (or ARNs) that exist, with tags, once per run for the same names: one DescribeClusters
 * call (the names a run guesses, checked before the whole account is listed). A name with no cluster is left out.
 */
export function clustersNamed(
  ctx: Pick<RunContext, 'aws' | 'signal' | 'memo'>,
  names: string[],
): Promise<ClusterFacts[]> {
  const wanted = [...new Set(names)]
  return ctx.memo(`ecs:clusters:${wanted.join(',')}`, async () =>
    (await describeClusters(ctx, wanted)).filter((c) => wanted.includes(c.name) || wanted.includes(c.arn)),
  )
}

async function describeClusters(ctx: Pick<RunContext, 'aws' | 'signal'>, clusters: string[]): Promise<ClusterFacts[]> {
  const client = ctx.aws.client(ECSClient)
  const described = await Promise.all(
    chunk(clusters, DESCRIBE_CLUSTERS_LIMIT).map((batch) =>
      client.send(new DescribeClustersCommand({clusters: batch, include: ['TAGS']}), {abortSignal: ctx.signal}),
    ),
  )
  return described
    .flatMap((d) => d?.clusters ?? [])
    .filter((c) => c.clusterName)
    .map((c) => ({
      name: c.clusterName!,
      arn: c.clusterArn ?? c.clusterName!,
      status: c.status,
      tags: Object.fromEntries((c.tags ?? []).filter((t) => t.key).map((t) => [t.key!, t.value ?? ''])),
    }))
}

/** "arn:aws:ecs:…:task-definition/production-allthrive-web:42" → "production-allthrive-web:42". */
export const taskDefinitionLabel = (arn: string | undefined): string => (arn ?? '?').split('/').pop()!

/** "arn:aws:ecs:…:task/cluster/1a2b3c…" → "1a2b3c…" (the id `aws ecs describe-tasks --tasks` takes). */
export const taskId = (arn: string | undefined): string => (arn ?? '?').split('/').pop()!

/** A task definition, described once per run (memo key `ecs:taskdef:<arn>`), however many checks read it. */
export const taskDefinition = (ctx: RunContext, arn: string): Promise<TaskDefinition> =>
  ctx.memo(
    `ecs:taskdef:${arn}`,
    async () =>
      (
        await ctx.aws
          .client(ECSClient)
          .send(new DescribeTaskDefinitionCommand({taskDefinition: arn}), {abortSignal: ctx.signal})
      ).taskDefinition!,
  )

/** DescribeTasks for any number of task ARNs: one call per 100, concurrently. Used by checks and commands. */
export async function describeTasksOf(
  ecs: ECSClient,
  cluster: string,
  arns: string[],
  signal?: AbortSignal,
): Promise<Task[]> {
  const described = await Promise.all(
    chunk([...new Set(arns)], DESCRIBE_TASKS_LIMIT).map((tasks) =>
      ecs.send(new DescribeTasksCommand({cluster, tasks}), {abortSignal: signal}),
    ),
  )
  return described.flatMap((d) => d.tasks ?? [])
}

const describeTasks = (ctx: RunContext, arns: string[]): Promise<Task[]> =>
  describeTasksOf(ctx.aws.client(ECSClient), ctx.env.cluster, arns, ctx.signal)

/** A service's tasks among described ones: matched by group, because some emulators ignore serviceName in ListTasks. */
const ofService = (tasks: Task[], name: string): Task[] => tasks.filter((t) => t.group === `service:${name}`)

/**
 * Tasks whose desired status is RUNNING (starting or running), by service name: ListTasks per
 * service (all pages), one DescribeTasks per 100 tasks for all of them together.
 */
export async function liveTasks(ctx: RunContext, serviceNames: string[]): Promise<Map<string, Task[]>> {
  const client = ctx.aws.client(ECSClient)
  const lists = await Promise.all(
    serviceNames.map(async (serviceName) => {
      const arns: string[] = []
      for await (const page of paginateListTasks(
        {client},
        {cluster: ctx.env.cluster, serviceName, desiredStatus: 'RUNNING'},
        {abortSignal: ctx.signal},
      ))
        arns.push(...(page.taskArns ?? []))
      return arns
    }),
  )
  const tasks = await describeTasks(ctx, lists.flat())
  return new Map(serviceNames.map((name) => [name, ofService(tasks, name)]))
}

/**
 * The most recently stopped tasks of each service, newest first, at most `keep` each:
 * one ListTasks per service (one page of up to 100: ECS keeps stopped tasks about an hour,
 * and only the latest few are shown) and DescribeTasks for all of them together.
 * Tasks are matched by `group` (`service:<name>`): some emulators ignore serviceName.
 */
export async function recentStoppedTasks(
  ctx: RunContext,
  serviceNames: string[],
  keep: number,
): Promise<Map<string, Task[]>> {
  const result = new Map(serviceNames.map((n) => [n, [] as Task[]]))
  if (keep <= 0 || serviceNames.length === 0) return result
  const {cluster} = ctx.env
  const client = ctx.aws.client(ECSClient)
  const lists = await Promise.all(
    serviceNames.map((serviceName) =>
      client.send(new ListTasksCommand({cluster, serviceName, desiredStatus: 'STOPPED', maxResults: 100}), {
        abortSignal: ctx.signal,
      }),
    ),
  )
  const tasks = await describeTasks(
    ctx,
    lists.flatMap((l) => l.taskArns ?? []),
  )
  const time = (t: Task): number => t.stoppedAt?.getTime() ?? t.stoppingAt?.getTime() ?? 0
  for (const name of serviceNames) {
    result.set(
      name,
      ofService(tasks, name)
        .sort((a, b) => time(b) - time(a))
        .slice(0, keep),
    )
  }

  return result
}

/** "task 1a2b…: TaskFailedToStart — ResourceInitializationError: … (container web exit 1)". */
export function describeStoppedTask(t: Task): string {
  const containers = containerExits(t)
  const why = stopReason(t) ?? 'stopped'
  return `task ${taskId(t.taskArn)}: ${why}${containers.length > 0 ? ` (${containers.join('; ')})` : ''}`
}

/** "TaskFailedToStart — ResourceInitializationError: …" (stop code and reason), if ECS recorded either. */
export const stopReason = (t: Task): string | undefined =>
  [t.stopCode, t.stoppedReason].filter(Boolean).join(' — ') || undefined

/** "container web exit 137: OutOfMemoryError", one per container that exited or has a reason. */
export const containerExits = (t: Task): string[] =>
  (t.containers ?? [])
    .filter((c) => c.reason || c.exitCode !== undefined)
    .map(
      (c) =>
        `container ${c.name}${c.exitCode === undefined ? '' : ` exit ${c.exitCode}`}${c.reason ? `: ${c.reason}` : ''}`,
    )

/** Where a container secret's value comes from, parsed from `secrets[].valueFrom`. */
export type SecretRef =
  | {kind: 'secretsmanager'; secretId: string; jsonKey?: string; versionStage?: string; versionId?: string}
  | {kind: 'ssm'; name: string}
  | {kind: 'unknown'; valueFrom: string}

const SSM_SECRETS_MANAGER_REFERENCE = '/aws/reference/secretsmanager/'

/**
 * Parses a `valueFrom` as ECS reads it:
 * - `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<version-stage>:<version-id>]`
 *   (secret names cannot hold ":"; the ARN, with its 6-character suffix, is the secretId);
 * - `arn:<partition>:ssm:<region>:<account>:parameter/<name>`, or a bare name: a Parameter Store
 *   parameter in the task's Region (ECS reads bare names from Parameter Store, never Secrets Manager),
 *   except `/aws/reference/secretsmanager/<name>`, Parameter Store's pass-through to a secret.
 */
export function parseSecretRef(valueFrom: string): SecretRef {
  const v = valueFrom.trim()
  if (v.startsWith('arn:')) {
    const parts = v.split(':')
    if (parts[2] === 'secretsmanager' && parts[5] === 'secret' && parts[6]) {
      const [jsonKey, versionStage, versionId] = parts.slice(7)
      return {
        kind: 'secretsmanager',
        secretId: parts.slice(0, 7).join(':'),
        ...(jsonKey && {jsonKey}),
        ...(versionStage && {versionStage}),
        ...(versionId && {versionId}),
      }
    }

    if (parts[2] === 'ssm' && parts.slice(5).join(':').startsWith('parameter/')) {
      const parameter = parts.slice(5).join(':').slice('parameter'.length)
      if (parameter.startsWith(SSM_SECRETS_MANAGER_REFERENCE))
        return {kind: 'secretsmanager', secretId: parameter.slice(SSM_SECRETS_MANAGER_REFERENCE.length)}
      return {kind: 'ssm', name: v}
    }

    return {kind: 'unknown', valueFrom: v}
  }

  if (v.startsWith(SSM_SECRETS_MANAGER_REFERENCE) && v.length > SSM_SECRETS_MANAGER_REFERENCE.length) {
    return {kind: 'secretsmanager', secretId: v.slice(SSM_SECRETS_MANAGER_REFERENCE.length)}
  }

  return v ? {kind: 'ssm', name: v} : {kind: 'unknown', valueFrom: v}
}

/** The name part of a secret id, for messages: "…:secret:production/allthrive/database-AbCdEf" → "production/allthrive/database-AbCdEf". */
export const secretLabel = (secretId: string): string =>
  secretId.startsWith('arn:') ? secretId.split(':').slice(6).join(':') : secretId
