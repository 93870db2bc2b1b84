import {Flags} from '@oclif/core'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import {BaseCommand} from '../base-command.js'
import {ALL_CHECKS, CHECK_IDS, selectChecks} from '../checks/index.js'
import {toJUnit} from '../checks/junit.js'
import {plainLine, renderReport} from '../checks/render.js'
import {createMemo, exitCodeFor, type ProgressMode, type Report, runChecks} from '../checks/run-checks.js'
import {durationFlag} from '../flags.js'
import {formatDuration} from '../lib/duration.js'

/** Live progress on a terminal; one plain line per check in CI and pipes; nothing with --json. */
export function progressModeFor(opts: {json: boolean; isTTY: boolean; ci: boolean}): ProgressMode {
  if (opts.json) return 'silent'
  return opts.isTTY && !opts.ci ? 'live' : 'plain'
}

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Run health checks against an environment'
  static override description = `Checks RDS, Redis, S3, Secrets Manager, ECS services and task definitions, ACM certificates and recent CloudWatch errors, concurrently, and prints one line per check and a verdict.

Checks: ${CHECK_IDS.join(', ')}.

EXIT CODES
  0  every check passed (warnings allowed, unless --fail-on warn)
  1  a check failed or could not run (error)
  2  usage, configuration or credentials error: nothing was checked`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment staging --only secrets,ecs-env --json',
    '<%= config.bin %> <%= command.id %> --environment staging --junit reports/validate.xml',
    '<%= config.bin %> <%= command.id %> --skip cloudwatch-errors --fail-on warn',
  ]

  static override flags = {
    only: Flags.string({summary: `Run only these checks (comma-separated): ${CHECK_IDS.join(', ')}.`, multiple: true, delimiter: ','}),
    skip: Flags.string({summary: 'Skip these checks (comma-separated).', multiple: true, delimiter: ','}),
    'fail-on': Flags.option({options: ['fail', 'warn'] as const, default: 'fail' as const, summary: 'Lowest status that makes the run fail (exit 1).'})(),
    concurrency: Flags.integer({summary: 'Checks run at once.', default: 8, min: 1, max: 32}),
    junit: Flags.string({summary: 'Also write a JUnit XML report to this file.', helpValue: '<file>'}),
    since: durationFlag({summary: 'Window for cloudwatch-errors (30s, 15m, 2h, 1d). Default: 15m or the config threshold.'}),
    timeout: durationFlag({summary: 'Time budget per check (default 20s or thresholds.checkTimeoutSeconds).'}),
    probe: Flags.boolean({summary: 'Also connect to PostgreSQL, Redis and Weaviate from here (needs network access to the VPC).'}),
  }

  public async run(): Promise<Report> {
    const {flags} = this
    const checks = selectChecks(ALL_CHECKS, flags.only, flags.skip)
    const base = this.envConfig
    const env = flags.since
      ? {...base, thresholds: {...base.thresholds, cloudwatchErrors: {...base.thresholds.cloudwatchErrors, since: formatDuration(flags.since)}}}
      : base
    const {accountId, region} = await this.identity()
    const progress = progressModeFor({json: this.jsonEnabled(), isTTY: Boolean(process.stdout.isTTY), ci: Boolean(process.env.CI)})
    const report = await runChecks(checks, {env, aws: this.aws, now: new Date(), memo: createMemo(), accountId, region, probe: flags.probe}, {
      concurrency: flags.concurrency,
      timeoutMs: flags.timeout ?? env.thresholds.checkTimeoutSeconds * 1000,
      progress,
      profile: flags.profile,
      onResult: progress === 'plain' ? (entry) => this.log(plainLine(entry)) : undefined,
    })

    if (flags.junit) {
      mkdirSync(dirname(flags.junit), {recursive: true})
      writeFileSync(flags.junit, toJUnit(report))
    }

    if (!this.jsonEnabled()) for (const line of renderReport(report, {verbose: flags.verbose})) this.log(line)
    process.exitCode = exitCodeFor(report, flags['fail-on'])
    return report
  }
}
