import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {durationFlag} from '../flags.js'
import {EXIT_INTERRUPTED, watchInterrupts} from '../lib/logs/output.js'
import {gatherStatus, type StatusPicture} from '../lib/status/gather.js'
import {renderStatus} from '../lib/status/render.js'
import {frame} from '../lib/status/watch.js'
import {sleep} from '../util/sleep.js'
import {createMemo} from '../util/concurrency.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show what is happening in an environment right now, and what changed just before'
  static override description = `One screen per environment: every ECS service (desired/running/pending, the deployment in progress or last completed, its tasks with health and ALB target health, tasks stopped in the window, the latest events deduplicated), the environment's alarms in ALARM, and a time line of what changed (task-definition revisions, deployments, secrets changed, alarm state changes, onsets of errors in the services' logs), newest first, with a change that landed shortly before an alarm or an error onset marked as its likely trigger. Read-only.

Deployments come from ECS's service-deployment APIs where the account answers them, else from the services' own
deployments and events (the screen says which).

EXIT CODES
  0    every service is steady
  1    a service is not steady (or missing), or an AWS error
  2    usage, configuration or credentials error
  130  interrupted with Ctrl+C (--watch)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> web celery-beat --since 2h',
    '<%= config.bin %> <%= command.id %> --watch',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override strict = false
  static override args = {
    service: Args.string({
      description: 'Services to show (short name such as web, or full ECS service name). Default: all.',
    }),
  }
  static override flags = {
    since: durationFlag({
      summary: 'Window of "what changed" and of stopped tasks (30m, 2h, 1d).',
      default: 24 * 3_600_000,
      defaultHelp: async () => '24h',
    }),
    watch: Flags.boolean({
      summary: 'Refresh every --interval (in place on a terminal) until Ctrl+C or --count refreshes.',
    }),
    interval: durationFlag({
      summary: 'Time between refreshes with --watch.',
      default: 5000,
      defaultHelp: async () => '5s',
    }),
    count: Flags.integer({summary: 'With --watch, stop after this many refreshes.', min: 1}),
  }

  public async run(): Promise<StatusPicture> {
    const {flags} = this
    const services = ((await this.parse(Status)).argv as string[]).filter(Boolean)
    await this.identity()
    // The environment as the account has it (cluster and every service discovered), read once; each
    // refresh of --watch reads the services anew (a memo of its own), the first one reuses discovery's reads.
    const run = await this.clusterContext()
    let first = true
    const picture = async (): Promise<StatusPicture> => {
      const now = this.now()
      const ctx = {...run, now, memo: first ? run.memo : createMemo()}
      first = false
      return gatherStatus(ctx, {services, since: new Date(now.getTime() - flags.since)})
    }

    if (!flags.watch || this.jsonEnabled()) {
      const p = await picture()
      if (!this.jsonEnabled()) for (const line of renderStatus(p)) this.log(line)
      process.exitCode = p.steady ? 0 : 1
      return p
    }

    const interrupts = watchInterrupts()
    const tty = Boolean(process.stdout.isTTY)
    let last: StatusPicture | undefined
    try {
      for (let i = 0; !interrupts.signal.aborted && (flags.count === undefined || i < flags.count); i++) {
        if (i > 0) await sleep(flags.interval, interrupts.signal)
        if (interrupts.signal.aborted) break
        last = await picture()
        process.stdout.write(frame(renderStatus(last), {tty, first: i === 0}))
      }
    } finally {
      interrupts.dispose()
    }

    process.exitCode = interrupts.interrupted() ? EXIT_INTERRUPTED : last?.steady ? 0 : 1
    return last!
  }
}
