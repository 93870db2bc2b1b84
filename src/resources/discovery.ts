import type {RunContext} from '../aws/context.js'
import {
  BUILT_IN_ENVIRONMENTS,
  type ClusterOrigin,
  type ConfigFile,
  type EnvConfig,
  isRole,
  type ServiceConfig,
} from '../config.js'
import {mapBounded} from '../util/concurrency.js'
import {elsewhereText, essentialContainer, logTargetOf} from './containers.js'
import {accountClusters, type ClusterFacts, clustersNamed, describeEnvServices, taskDefinition} from './ecs.js'

/**
 * Discovery: the live account is the source of truth. The configuration names what it names;
 * everything else is read once per run (memo) from ECS: the cluster, every service of it, each
 * service's container and where its logs go. No verdicts here: checks and commands judge.
 */

/** The two naming conventions of a cluster, in the order they are tried. */
export const clusterConventions = (env: string): string[] => [`${env}-allthrive-cluster`, `allthriveai-${env}`]

/** What reading the account's clusters needs. */
type AccountReader = Pick<RunContext, 'aws' | 'signal' | 'memo'>

const isProject = (tags: Record<string, string>): boolean => (tags.Project ?? '').toLowerCase() === 'allthrive'
const live = (clusters: ClusterFacts[]): ClusterFacts[] => clusters.filter((c) => c.status !== 'INACTIVE')

/**
 * The cluster of an environment: the configured name, else `<env>-allthrive-cluster`, else
 * `allthriveai-<env>`, else the one tagged Project=allthrive, Environment=<env>. The names are
 * guesses checked in one DescribeClusters call; only when none exists is every cluster of the
 * account listed for its tags.
 */
export async function resolveCluster(
  ctx: AccountReader,
  env: string,
  configured?: string,
): Promise<{name: string} & ClusterOrigin> {
  const named = live(await clustersNamed(ctx, configured ? [configured] : clusterConventions(env)))
  const has = (name: string): boolean => named.some((c) => c.name === name || c.arn === name)
  if (configured) {
    const searched = [`the configured name ${configured}`]
    return {name: configured, source: 'config file', how: 'configured name', found: has(configured), searched}
  }

  const searched = [...clusterConventions(env), `a cluster tagged Project=allthrive and Environment=${env}`]
  for (const name of clusterConventions(env)) {
    if (has(name)) return {name, source: 'convention', how: `naming convention ${name}`, found: true, searched}
  }

  const tagged = live(await accountClusters(ctx)).find((c) => isProject(c.tags) && c.tags.Environment === env)
  const how = `tags Project=allthrive, Environment=${env}`
  if (tagged) return {name: tagged.name, source: 'discovered', how, found: true, searched}
  return {name: clusterConventions(env)[0], source: 'convention', how: 'nothing found', found: false, searched}
}

/** "No ECS cluster of staging in us-east-1: looked for a, b and c." */
export const clusterNotFoundText = (env: string, region: string, searched: string[]): string =>
  `No ECS cluster of environment ${env} in ${region}: looked for ${listed(searched)}.`

/** "a, b and c". */
const listed = (items: string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? 'nothing')

/** Where an environment was found. */
export type FoundBy = 'built-in' | 'config file' | 'cluster name' | 'tags'

export interface EnvironmentEntry {
  name: string
  foundBy: FoundBy[]
  /** The clusters of the account that belong to it. */
  clusters: string[]
}

/** The environment a cluster belongs to by its name or its tags, if any. */
function environmentsOf(c: ClusterFacts): {name: string; by: FoundBy}[] {
  const out: {name: string; by: FoundBy}[] = []
  const named = /^(.+)-allthrive-cluster$/.exec(c.name) ?? /^allthriveai-(.+)$/.exec(c.name)
  if (named) out.push({name: named[1], by: 'cluster name'})
  if (isProject(c.tags) && c.tags.Environment) out.push({name: c.tags.Environment, by: 'tags'})
  return out
}

/** Every environment: built-in, configured, and found in the account (cluster name or tags), with where found. */
export async function listEnvironments(ctx: AccountReader, config: ConfigFile): Promise<EnvironmentEntry[]> {
  const entries = new Map<string, EnvironmentEntry>()
  const add = (name: string, by: FoundBy, cluster?: string): void => {
    const e = entries.get(name) ?? {name, foundBy: [], clusters: []}
    if (!e.foundBy.includes(by)) e.foundBy.push(by)
    if (cluster && !e.clusters.includes(cluster)) e.clusters.push(cluster)
    entries.set(name, e)
  }

  for (const name of BUILT_IN_ENVIRONMENTS) add(name, 'built-in')
  for (const name of Object.keys(config.environments ?? {})) add(name, 'config file')
  for (const c of live(await accountClusters(ctx))) for (const {name, by} of environmentsOf(c)) add(name, by, c.name)
  return [...entries.values()]
}

/** " (streams ecs/web/<task-id>)" when the stream prefix is known. */
const streams = (s: ServiceConfig): string =>
  s.logStreamPrefix ? ` (streams ${s.logStreamPrefix}/${s.container}/<task-id>)` : ''

/** What discovery found for one service, for `config show`. */
export interface DiscoveredService {
  key: string
  role?: string
  name: string
  status: string
  taskDefinition?: string
  container: string
  /** The container's log group and stream prefix, or where its logs go instead. */
  logs: string
}

export interface Discovery {
  cluster: {name: string} & ClusterOrigin
  /** Every service of the cluster (configured roles found, then the others); empty when the cluster was not found. */
  services: DiscoveredService[]
  /** Configured services the cluster does not have. */
  missing: string[]
}

/** The service model completed from its task definition: the container, its log group and stream prefix. */
async function fromTaskDefinition(ctx: RunContext, s: ServiceConfig, arn: string | undefined): Promise<ServiceConfig> {
  if (!arn) return s
  let td
  try {
    td = await taskDefinition(ctx, arn)
  } catch {
    // Unreadable here (AccessDenied…): the checks that need it report it; keep the configured names.
    return s
  }

  const fromFile = s.sources ?? {}
  const container = essentialContainer(td, fromFile.container === 'config file' ? s.container : (s.role ?? s.container))
  if (!container?.name) return s
  const name = fromFile.container === 'config file' ? s.container : container.name
  const target = logTargetOf(td, td.containerDefinitions?.find((c) => c.name === name) ?? container)
  const sources = {...s.sources, ...(fromFile.container !== 'config file' && {container: 'discovered' as const})}
  if (target.kind === 'awslogs') {
    const keepGroup = fromFile.logGroup === 'config file'
    return {
      ...s,
      container: name,
      logGroup: keepGroup ? s.logGroup : target.group,
      ...(target.streamPrefix && {logStreamPrefix: target.streamPrefix}),
      sources: {...sources, ...(!keepGroup && {logGroup: 'discovered' as const})},
    }
  }

  const elsewhere =
    target.kind === 'elsewhere' ? elsewhereText(target) : "no logConfiguration: the container's output is not kept"
  return {...s, container: name, logElsewhere: elsewhere, sources}
}

/**
 * Resolves the environment against the live account: the cluster, every service of it (the
 * configured ones by name, any other under its short name), each one's container and logs.
 * One read per resource type (the run's memo), shared with every check of the run.
 */
export async function discoverEnvironment(
  ctx: RunContext,
  opts: {configuredCluster?: string} = {},
): Promise<{env: EnvConfig; discovery: Discovery}> {
  const cluster = await resolveCluster(ctx, ctx.env.name, opts.configuredCluster)
  const {name: clusterName, ...origin} = cluster
  const base: EnvConfig = {...ctx.env, cluster: clusterName, clusterOrigin: origin}
  if (!cluster.found) return {env: base, discovery: {cluster, services: [], missing: base.services.map((s) => s.key)}}

  const run: RunContext = {...ctx, env: base}
  const described = await describeEnvServices(run)
  const all = [...base.services, ...described.others]
  const services = await mapBounded(all, 8, async (s) => {
    const svc = described.services.get(s.key)
    if (!svc?.serviceName) return s
    const renamed =
      svc.serviceName === s.name
        ? s
        : {...s, name: svc.serviceName, sources: {...s.sources, name: 'discovered' as const}}
    return fromTaskDefinition(run, renamed, svc.taskDefinition)
  })
  const env: EnvConfig = {...base, services}
  return {
    env,
    discovery: {
      cluster,
      missing: described.missing,
      services: services
        .filter((s) => described.services.has(s.key))
        .map((s) => {
          const svc = described.services.get(s.key)!
          return {
            key: s.key,
            ...(s.role && isRole(s.role) && {role: s.role}),
            name: s.name,
            status: svc.status ?? 'UNKNOWN',
            ...(svc.taskDefinition && {taskDefinition: svc.taskDefinition.split('/').pop()}),
            container: s.container,
            logs: s.logElsewhere ?? `${s.logGroup}${streams(s)}`,
          }
        }),
    },
  }
}
