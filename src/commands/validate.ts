import {Flags} from '@oclif/core'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import {criticalPathLines} from '../aws/critical-path.js'
// Loaded with the command, not on first use: the discovery calls leave before the checks load.
import '../resources/discovery.js'
import {BaseCommand} from '../base-command.js'
import {CHECK_IDS, CHECKS, loadChecks, needsDiscovery, selectChecks} from '../checks/index.js'
import {annotations, onGitHubActions} from '../report/github.js'
import {toJUnit} from '../report/junit.js'
import {toMarkdown} from '../report/markdown.js'
import {plainLine, renderReport} from '../report/terminal.js'
import {terminalWidth} from '../report/wrap.js'
import {exitCodeFor, type ProgressMode, runChecks} from '../checks/run-checks.js'
import type {Report} from '../checks/report.js'
import type {EnvConfig} from '../config.js'
import {durationFlag} from '../flags.js'
import {compactDuration} from '../util/duration.js'

/** Live progress on a terminal; one plain line per check in CI, pipes and Markdown runs (on stderr); nothing with --json. */
export function progressModeFor(opts: {
  json: boolean
  isTTY: boolean
  ci: boolean
  markdown?: boolean
  columns?: number
}): ProgressMode {
  if (opts.json) return 'silent'
  // A terminal that reports no width (some CI ptys, `script`) would wrap every character: plain lines there.
  return opts.isTTY && !opts.ci && !opts.markdown && (opts.columns ?? 0) > 0 ? 'live' : 'plain'
}

/** Writes a report file (creating its folder); returns what went wrong in one phrase, or undefined. */
export function writeSideFile(path: string, render: () => string): string | undefined {
  try {
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, render())
    return undefined
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    const why: Record<string, string> = {
      EISDIR: 'it is a directory',
      EACCES: 'permission denied',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on the device',
      ENOTDIR: 'a part of the path is a file',
      EPERM: 'operation not permitted',
    }
    return e.code && why[e.code] ? `${why[e.code]} (${e.code})` : (e.message ?? String(error)).split('\n')[0]
  }
}

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Run health checks against an environment'
  static override description = `Checks the environment's RDS, Redis, S3, Secrets Manager, ECS services, task definitions and images, ACM certificates, ALB, security groups, alarms and recent CloudWatch errors, concurrently, and prints one line per check and a verdict naming what is broken.

Checks: ${CHECK_IDS.join(', ')}. The drift check runs when --compare names another environment.

--format markdown prints a Markdown report on stdout (for $GITHUB_STEP_SUMMARY or a ticket); progress goes to stderr. On GitHub Actions (GITHUB_ACTIONS=true) each failing or warning check is also printed as an ::error/::warning annotation (on stderr with --format markdown). --json wins over both.

EXIT CODES
  0  every check passed (warnings allowed, unless --fail-on warn)
  1  a check failed or could not run (error), or the --junit file could not be written (the report is printed first)
  2  usage, configuration or credentials error, or every selected check skipped: nothing was checked`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment staging --only secrets,ecs-env --json',
    '<%= config.bin %> <%= command.id %> --environment staging --junit reports/validate.xml',
    '<%= config.bin %> <%= command.id %> --skip cloudwatch-errors --fail-on warn',
    '<%= config.bin %> <%= command.id %> --environment staging --compare production',
    '<%= config.bin %> <%= command.id %> --environment staging --format markdown >> "$GITHUB_STEP_SUMMARY"',
  ]

  static override flags = {
    only: Flags.string({
      summary: `Run only these checks (comma-separated): ${CHECK_IDS.join(', ')}.`,
      multiple: true,
      delimiter: ',',
    }),
    skip: Flags.string({summary: 'Skip these checks (comma-separated).', multiple: true, delimiter: ','}),
    'fail-on': Flags.option({
      options: ['fail', 'warn'] as const,
      default: 'fail' as const,
      summary: 'Lowest status that makes the run fail (exit 1).',
    })(),
    concurrency: Flags.integer({summary: 'Checks run at once.', default: 8, min: 1, max: 32}),
    junit: Flags.string({summary: 'Also write a JUnit XML report to this file.', helpValue: '<file>'}),
    since: durationFlag({
      summary:
        'Window for cloudwatch-errors (whole numbers, 1m to 30d: 15m, 2h, 1d). Default: 15m or the config threshold.',
      whole: true,
      min: 60_000,
      max: 30 * 86_400_000,
    }),
    timeout: durationFlag({
      summary: 'Time budget per check, 1s to 1h (default 20s or thresholds.checkTimeoutSeconds).',
      min: 1000,
      max: 3_600_000,
    }),
    probe: Flags.boolean({
      summary: 'Also connect to PostgreSQL, Redis and Weaviate from here (needs network access to the VPC).',
    }),
    compare: Flags.string({
      summary: 'Compare with this environment (drift check): variables, secret references, secret keys, sizes.',
      helpValue: '<environment>',
    }),
    format: Flags.option({
      options: ['human', 'markdown'] as const,
      default: 'human' as const,
      summary: 'Report format on stdout (--json wins).',
    })(),
  }

  public async run(): Promise<Report> {
    const {flags} = this
    const selected = selectChecks(CHECKS, flags.only, flags.skip)
    // An environment found only in the account is known before --compare is resolved against it.
    await this.knownEnvironment()
    // The drift reader (and the SDK clients it imports) loads only with --compare.
    const compareTo = flags.compare
      ? (await import('../lib/drift/compare.js')).resolveCompare(flags.compare, this.envConfig, this.configFile)
      : undefined
    if (compareTo && !selected.some((c) => c.id === 'drift'))
      this.warn('--compare has no effect: the drift check is not selected (--only/--skip).')
    // While STS answers, the environment is discovered and the selected checks' modules (and their SDK clients) load.
    // An identity error (no or expired credentials) wins over what it caused elsewhere.
    const identity = this.identity()
    identity.catch(() => undefined) // handled below, once the checks are loaded
    const discover = needsDiscovery(selected, {probe: flags.probe, compare: Boolean(compareTo)})
    const ran = this.runContext({discover})
    ran.catch(() => undefined) // thrown by runChecks, after the identity
    const loaded = await Promise.allSettled([loadChecks(selected)])
    if (loaded[0].status === 'rejected') {
      await identity
      throw loaded[0].reason
    }

    const checks = loaded[0].value
    const {accountId} = await identity
    // --since sets the cloudwatch-errors window of this run.
    const windowed = (env: EnvConfig): EnvConfig =>
      flags.since
        ? {
            ...env,
            thresholds: {
              ...env.thresholds,
              cloudwatchErrors: {...env.thresholds.cloudwatchErrors, since: compactDuration(flags.since)},
            },
          }
        : env
    // The checks that need no discovery start now, on the environment as configured; the others when it is found.
    const base = await this.baseContext()
    const early = {...base, ...(accountId && {accountId}), env: windowed(base.env), probe: flags.probe}
    const discovered = ran.then(async (run) => ({
      ...run,
      env: windowed(run.env),
      probe: flags.probe,
      compare: compareTo && {env: await this.discoveredCompare(compareTo)},
    }))
    const env = early.env
    const markdown = flags.format === 'markdown' && !this.jsonEnabled()
    // With --format markdown, stdout is the document: progress and annotations go to stderr (GitHub reads commands there too).
    const side = (line: string) => (markdown ? this.logToStderr(line) : this.log(line))
    const progress = progressModeFor({
      json: this.jsonEnabled(),
      isTTY: Boolean(process.stdout.isTTY),
      ci: Boolean(process.env.CI),
      markdown,
      columns: process.stdout.columns,
    })
    const report = await runChecks(
      checks,
      {early, discovered},
      {
        concurrency: flags.concurrency,
        timeoutMs: flags.timeout ?? env.thresholds.checkTimeoutSeconds * 1000,
        progress,
        profile: flags.profile,
        onResult: progress === 'plain' ? (entry) => side(plainLine(entry)) : undefined,
      },
    )

    if (markdown) this.log(toMarkdown(report, {verbose: flags.verbose}).trimEnd())
    else if (!this.jsonEnabled())
      for (const line of renderReport(report, {verbose: flags.verbose, width: terminalWidth()})) this.log(line)
    if (!this.jsonEnabled() && onGitHubActions()) for (const line of annotations(report)) side(line)
    if (flags.debug && this.aws.timeline)
      for (const line of criticalPathLines(this.aws.timeline)) this.logToStderr(`[debug] ${line}`)
    process.exitCode = exitCodeFor(report, flags['fail-on'])
    // The report is out first: a side file that cannot be written (a directory, read-only, a full disk) is one line after it.
    if (flags.junit) {
      const failed = writeSideFile(flags.junit, () => toJUnit(report))
      if (failed) {
        const line = `Error: could not write the JUnit report to ${flags.junit}: ${failed}. The report above is complete.`
        process.stderr.write(`${line}\n`)
        process.exitCode = Math.max(process.exitCode ?? 0, 1)
      }
    }

    return report
  }

  /** The compared environment's cluster as the account has it (configured, else either convention, else tags). */
  private async discoveredCompare(other: EnvConfig): Promise<EnvConfig> {
    const run = await this.runContext()
    // Clusters are listed in this run's region: another region's environment keeps its configured names.
    if (other.region && other.region !== run.region) return other
    const configured = this.configFile.config.environments?.[other.name]?.cluster
    const {resolveCluster} = await import('../resources/discovery.js')
    const {name, ...origin} = await resolveCluster(run, other.name, configured)
    return {...other, cluster: name, clusterOrigin: origin}
  }
}
