import {BaseCommand} from '../base-command.js'
import {type EnvironmentEntry, listEnvironments} from '../resources/discovery.js'
import {createMemo} from '../util/concurrency.js'
import {safeLine as visible} from '../util/safe-text.js'

export default class Environments extends BaseCommand<typeof Environments> {
  static override summary = 'List the environments: built-in, configured, and found in the account'
  static override description = `An environment is built in (production, staging), named under "environments" in allthrive.config.json, or found in the account: an ECS cluster named <env>-allthrive-cluster or allthriveai-<env>, or tagged Project=allthrive and Environment=<env>. Each is listed with where it was found and its clusters. Reads ListClusters and DescribeClusters (with tags) in the region.

EXIT CODES
  0  listed
  1  AWS refused or failed (AccessDenied on ecs:ListClusters…)
  2  credentials or configuration error`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --region eu-west-1 --json',
  ]

  public async run(): Promise<{region: string; environments: EnvironmentEntry[]}> {
    const {region} = await this.identity()
    const environments = await listEnvironments({aws: this.aws, memo: createMemo()}, this.configFile.config)
    if (!this.jsonEnabled()) {
      const rows = [
        ['ENVIRONMENT', 'FOUND BY', 'CLUSTERS'],
        ...environments.map((e) => [
          visible(e.name),
          e.foundBy.join(', '),
          e.clusters.map((c) => visible(c)).join(', ') || '(none in this region)',
        ]),
      ]
      const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)))
      this.log(`Environments in ${region}:`)
      for (const r of rows) this.log(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`.trimEnd())
    }

    process.exitCode = 0
    return {region, environments}
  }
}
