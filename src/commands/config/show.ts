import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import type {EnvConfig, NameSource, ServiceConfig} from '../../config.js'
import {type EnvironmentServing, environmentServing, servedAtLabel, shortId} from '../../resources/acm.js'
import {clusterNotFoundText, type Discovery} from '../../resources/discovery.js'
import {credentialsUserError, describeAwsError} from '../../aws/errors.js'
import {isUserError} from '../../errors.js'
import {safeLine as visible} from '../../util/safe-text.js'

const sourceOf = (s: ServiceConfig, field: 'name' | 'container' | 'logGroup'): NameSource =>
  s.sources?.[field] ?? 'convention'

/**
 * "production-allthrive-web (convention)  container web (discovered)
 * logs /ecs/x, streams ecs/web/<task-id> (discovered)", on one line.
 */
const streams = (s: ServiceConfig): string =>
  s.logStreamPrefix ? `, streams ${s.logStreamPrefix}/${s.container}/<task-id>` : ''

export function serviceLine(s: ServiceConfig, status?: string): string {
  const logs = s.logElsewhere ? s.logElsewhere : `${s.logGroup}${streams(s)} (${sourceOf(s, 'logGroup')})`
  const state = status ? `  ${status}` : ''
  const container = `container ${s.container} (${sourceOf(s, 'container')})`
  return visible(`${s.name} (${sourceOf(s, 'name')})${state}  ${container}  logs ${logs}`)
}

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Print the resolved environment model: every resource name a command will use'
  static override description = `Names come from allthrive.config.json in the working directory, else the live account (discovery: the cluster by either naming convention or by tags, every service of the cluster, each one's container and log group from its task definition), else the platform's naming convention. Each name is printed with its source: config file, convention or discovered. --no-discover makes no AWS call.

EXIT CODES
  0  printed
  2  unknown environment or invalid configuration file`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment production --json',
  ]

  static override flags = {
    discover: Flags.boolean({
      summary: 'Read the account (ECS) for what it has; --no-discover: configuration and convention only, no AWS call.',
      default: true,
      allowNo: true,
    }),
  }

  public async run(): Promise<EnvConfig & {discovery?: Discovery; notDiscovered?: string; served?: ServedJson}> {
    const {run, why} = this.flags.discover ? await this.discovered() : {}
    const env = run?.env ?? this.envConfig
    const discovery = run?.discovery
    const region = run?.region || this.resolveRegion()
    // What the environment serves (ALB and CloudFront certificates, the domains they answer for), read once.
    const served =
      run && (await environmentServing(run).then(servedJson, (error: unknown) => ({notRead: describeAwsError(error)})))
    const resolved = {
      ...env,
      region: region ?? env.region,
      ...(discovery && {discovery}),
      ...(why && {notDiscovered: why}),
      ...(served && {served}),
    }
    if (this.jsonEnabled()) return resolved
    const t = env.thresholds
    const rows: [string, string][] = [
      ['environment', env.name],
      ['source', env.source],
      ['region', region ?? '(from the AWS profile)'],
      ...(why ? [['discovery', `not done: ${why}`] as [string, string]] : []),
      ['cluster', clusterLine(env, region ?? '?', Boolean(this.configFile.config.environments?.[env.name]?.cluster))],
      ...env.services.map((s): [string, string] => {
        const found = discovery?.services.find((d) => d.key === s.key)
        const revision = found?.taskDefinition ? ` ${found.taskDefinition}` : ''
        const status = !discovery ? undefined : found ? `${found.status}${revision}` : 'NOT FOUND in the cluster'
        return [`service ${s.key}`, serviceLine(s, status)]
      }),
      ...env.services.map((s): [string, string] => [`required env ${s.key}`, s.requiredEnv.join(', ')]),
      ...env.secrets.map((s): [string, string] => [`secret ${s.key}`, `${s.id}  keys=${s.keys.join(',')}`]),
      ['buckets', `frontend=${env.buckets.frontend} media=${env.buckets.media} backups=${env.buckets.backups}`],
      [
        'rds',
        `${env.rds.instanceId}  multi-az=${env.rds.expectMultiAz ? 'expected' : 'not expected'}  deletion-protection=${env.rds.expectDeletionProtection ? 'expected' : 'not expected'}`,
      ],
      ['redis', env.redis.replicationGroupId],
      ['alb', env.alb.name],
      ['domains', env.domains.join(', ')],
      ['cloudfront domains', env.cloudfrontDomains.join(', ')],
      ...(served ? servedRows(served) : []),
      [
        'thresholds',
        `check timeout ${t.checkTimeoutSeconds}s; rds CA ≥${t.rds.caCertificateMinDays}d, free storage warn <${t.rds.storageWarnFreePercent}% fail <${t.rds.storageFailFreePercent}%; certificates warn <${t.certificates.warnDays}d fail <${t.certificates.failDays}d; errors in ${t.cloudwatchErrors.since} warn ≥${t.cloudwatchErrors.warnAt} fail ≥${t.cloudwatchErrors.failAt}`,
      ],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    for (const [k, v] of rows) this.log(`${k.padEnd(width)}  ${v}`)
    return resolved
  }

  /** Without credentials, a region or permission: the model as configured, and why (exit 0). */
  private async discovered(): Promise<{run?: Awaited<ReturnType<ConfigShow['runContext']>>; why?: string}> {
    try {
      return {run: await this.runContext()}
    } catch (error) {
      // An unknown environment or a broken configuration file is still an error.
      if (isUserError(error) && ['UNKNOWN_ENVIRONMENT', 'CONFIG_INVALID'].includes(error.code ?? '')) throw error
      const user = isUserError(error) ? error : credentialsUserError(error, {})
      return {why: user ? user.message : describeAwsError(error)}
    }
  }
}

function clusterLine(env: EnvConfig, region: string, configured: boolean): string {
  const o = env.clusterOrigin
  if (!o) return `${env.cluster} (${configured ? 'config file' : 'convention'}; not looked up)`
  if (!o.found) return `${env.cluster} (NOT FOUND) ${clusterNotFoundText(env.name, region, o.searched)}`
  return visible(`${env.cluster} (${o.source}: ${o.how})`)
}

/** What `config show --json` says of what the environment serves. */
export type ServedJson =
  | {
      domains: EnvironmentServing['domains']
      certificates: {arn: string; servedAt: string; status: string; notAfter?: string; names: string[]}[]
      distribution?: {id: string; foundBy: string}
      distributionProblem?: string
    }
  | {notRead: string}

function servedJson(s: EnvironmentServing): ServedJson {
  return {
    domains: s.domains,
    certificates: s.certificates.map((c) => ({
      arn: c.arn,
      servedAt: servedAtLabel(c.at),
      status: c.facts?.status ?? (c.missing ? 'NOT IN ACM' : 'not an ACM certificate'),
      ...(c.facts?.notAfter && {notAfter: c.facts.notAfter.toISOString()}),
      names: c.facts?.names ?? [],
    })),
    ...(s.distribution && {distribution: {id: s.distribution.id, foundBy: s.distribution.reason}}),
    ...(s.distributionProblem && {distributionProblem: s.distributionProblem.message}),
  }
}

function servedRows(s: ServedJson): [string, string][] {
  if ('notRead' in s) return [['served', `not read: ${s.notRead}`]]
  const domains = s.domains.map((d) => `${d.name} (${d.source})`).join(', ') || 'none found'
  const distribution = s.distribution
    ? `${s.distribution.id} (found by ${s.distribution.foundBy})`
    : (s.distributionProblem ?? 'none found')
  return [
    ['served domains', visible(domains)],
    ['distribution', visible(distribution)],
    ...s.certificates.map((c): [string, string] => {
      const expiry = c.notAfter ? `, expires ${c.notAfter.slice(0, 10)}` : ''
      const names = c.names.length > 0 ? `, ${c.names.join(' ')}` : ''
      return ['certificate', visible(`${shortId(c.arn)} at ${c.servedAt}: ${c.status}${expiry}${names}`)]
    }),
  ]
}
