import {BaseCommand} from '../../base-command.js'
import type {EnvConfig} from '../../config.js'

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Print the resolved environment model: every resource name a command will use'
  static override description = `Names come from the platform's naming convention, overridden by allthrive.config.json in the working directory. No AWS call is made.

EXIT CODES
  0  printed
  2  unknown environment or invalid configuration file`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment production --json',
  ]

  public async run(): Promise<EnvConfig> {
    const env = this.envConfig
    const region = this.resolveRegion()
    const resolved = {...env, region: region ?? env.region}
    if (this.jsonEnabled()) return resolved
    const t = env.thresholds
    const rows: [string, string][] = [
      ['environment', env.name],
      ['source', env.source],
      ['region', region ?? '(from the AWS profile)'],
      ['cluster', env.cluster],
      ...env.services.map((s): [string, string] => [`service ${s.key}`, `${s.name}  container=${s.container}  logs=${s.logGroup}`]),
      ...env.services.map((s): [string, string] => [`required env ${s.key}`, s.requiredEnv.join(', ')]),
      ...env.secrets.map((s): [string, string] => [`secret ${s.key}`, `${s.id}  keys=${s.keys.join(',')}`]),
      ['buckets', `frontend=${env.buckets.frontend} media=${env.buckets.media} backups=${env.buckets.backups}`],
      ['rds', `${env.rds.instanceId}  multi-az=${env.rds.expectMultiAz ? 'expected' : 'not expected'}  deletion-protection=${env.rds.expectDeletionProtection ? 'expected' : 'not expected'}`],
      ['redis', env.redis.replicationGroupId],
      ['alb', env.alb.name],
      ['domains', env.domains.join(', ')],
      ['cloudfront domains', env.cloudfrontDomains.join(', ')],
      ['thresholds', `check timeout ${t.checkTimeoutSeconds}s; rds CA ≥${t.rds.caCertificateMinDays}d, free storage warn <${t.rds.storageWarnFreePercent}% fail <${t.rds.storageFailFreePercent}%; certificates warn <${t.certificates.warnDays}d fail <${t.certificates.failDays}d; errors in ${t.cloudwatchErrors.since} warn ≥${t.cloudwatchErrors.warnAt} fail ≥${t.cloudwatchErrors.failAt}`],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    for (const [k, v] of rows) this.log(`${k.padEnd(width)}  ${v}`)
    return resolved
  }
}
