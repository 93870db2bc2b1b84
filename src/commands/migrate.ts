import {ECSClient} from '@aws-sdk/client-ecs'
import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {UserError} from '../errors.js'
import {durationFlag} from '../flags.js'
import {confirmChange} from '../util/confirm.js'
import {wrapWithExitMarker} from '../lib/exec/command-line.js'
import {attachToTask, runOneOff} from '../lib/migrate/one-off.js'
import {prepareMigration} from '../lib/migrate/prepare.js'
import {migrationRunningError, renderOutcome, statusLine} from '../lib/migrate/render.js'
import {STARTED_BY} from '../lib/migrate/request.js'
import {migrateExitCode, type MigrateResult} from '../lib/migrate/result.js'
import {runningTasksStartedBy} from '../lib/migrate/run-task.js'
import {execTargetForMigration, migrateViaExec} from '../lib/migrate/via-exec.js'
import {serviceByKey} from '../config.js'
import {safeText} from '../util/safe-text.js'
import {shJoin} from '../util/shell.js'

export default class Migrate extends BaseCommand<typeof Migrate> {
  static override summary = 'Run the database migrations as a one-off ECS task and wait for them'
  static override description = `Runs migrate.command (python manage.py migrate --noinput) as a one-off task cloned from the web service's current task definition and network configuration (subnets, security groups, public IP, capacity provider strategy or launch type, platform version), with the command overridden on the web container and startedBy "${STARTED_BY.migrate}". Streams the container's log lines (stdout) and its progress (stderr), waits as long as it takes (or --timeout), and exits with the container's exit code. --plan runs migrate.planCommand (read-only, no confirmation). --via exec runs the command in a running web container instead (see \`allthrive exec --help\`). Refuses while another allthrive migration task is running (and looks again right after starting: of two started at once, the younger stops). RunTask carries an idempotency token, so a retried request never starts a second task. While watching, network errors, timeouts and throttling are ridden out for up to 5 minutes; if the watch ends anyway, \`allthrive migrate --attach TASK\` (printed at the start) waits for the task again and exits with its code. Protected environments (production) ask for confirmation, or --yes. With --json nothing is printed until the end: the result (log lines included) is one JSON object.

EXIT CODES
  0    the migration ran and exited 0 (--dry-run: the request was printed)
  N    the container's own exit code (1-255) when the command ran and failed
  1    the task failed to start (reason explained), RunTask failed, --timeout passed (the task keeps running), another migration is running, ECS Exec was not ready (--via exec), or an AWS error
  2    usage, configuration or credentials error, or confirmation refused without a terminal (use --yes)
  130  interrupted with Ctrl+C (the task keeps running)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment production --yes --timeout 30m',
    '<%= config.bin %> <%= command.id %> --plan',
    '<%= config.bin %> <%= command.id %> --dry-run --json',
    '<%= config.bin %> <%= command.id %> --environment staging --via exec',
    '<%= config.bin %> <%= command.id %> --environment production --attach 3f2a9c0d1e2f4a5b6c7d8e9f0a1b2c3d',
  ]

  static override flags = {
    plan: Flags.boolean({
      summary: 'Run migrate.planCommand (python manage.py migrate --plan): shows what would run, changes nothing.',
    }),
    via: Flags.option({
      options: ['run-task', 'exec'] as const,
      default: 'run-task' as const,
      summary:
        'Where to run: a one-off task (run-task) or a running web container (exec, needs session-manager-plugin and a terminal).',
    })(),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Confirm a change on a protected environment without asking (for scripts and CI).',
    }),
    'dry-run': Flags.boolean({summary: 'Print the RunTask request (JSON) and exit 0 without starting anything.'}),
    timeout: durationFlag({
      summary:
        'Stop waiting after this long (30s, 15m, 2h; at most 24d); the task keeps running and the command to stop it is printed. Default: wait as long as it takes.',
    }),
    attach: Flags.string({
      summary: 'Wait for this migration task (id or ARN) to end and exit with its exit code; starts nothing.',
      helpValue: '<task>',
      exclusive: ['plan', 'dry-run'],
      parse: async (input) => {
        if (!input.trim()) {
          throw new UserError(
            'Invalid --attach: an empty task id. Give the id (or ARN) of a migration task, as printed ' +
              'when it started.',
            {code: 'INVALID_TASK'},
          )
        }

        return input.trim()
      },
    }),
    'poll-interval': durationFlag({summary: 'Time between DescribeTasks polls.', default: 3000, hidden: true}),
    'outage-budget': durationFlag({
      summary: 'How long to ride out network errors while watching.',
      default: 300_000,
      hidden: true,
    }),
  }

  public async run(): Promise<MigrateResult | {dryRun: true; request: unknown}> {
    const {flags} = this
    // The environment as the account has it: the web service's name, container and log target discovered.
    const {env} = await this.clusterContext()
    const command = flags.plan ? env.migrate.planCommand : env.migrate.command
    const guard = async (where: string): Promise<void> => {
      if (flags.plan) return
      await confirmChange({
        env,
        action: `run database migrations (${shJoin(command)}, ${where})`,
        yes: flags.yes,
        command: shJoin([
          this.config.bin,
          'migrate',
          '--environment',
          env.name,
          ...(flags.via === 'exec' ? ['--via', 'exec'] : []),
        ]),
      })
      const running = await runningTasksStartedBy(this.aws.client(ECSClient), env.cluster, STARTED_BY.migrate)
      if (running.length > 0) throw migrationRunningError(running, env.cluster, this.now().getTime(), env.name)
    }

    const watching = {
      aws: this.aws,
      cluster: env.cluster,
      env: env.name,
      pollMs: flags['poll-interval'],
      timeoutMs: flags.timeout,
      outageMs: flags['outage-budget'],
      profile: flags.profile,
      info: (line: string) => this.logToStderr(safeText(line)),
      onStatus: (status: string, elapsed: number) => this.logToStderr(safeText(statusLine(status, elapsed))),
      // The container's lines are shown, never sent to the terminal as control sequences (--json keeps them exact).
      onLine: (line: string) => this.log(safeText(line)),
    }
    if (flags.attach) {
      const container = serviceByKey(env, 'web').container
      const {result, lastStatus} = await attachToTask({...watching, task: flags.attach, container})
      return this.finish(result, {plan: false, container, timeoutMs: flags.timeout, lastStatus, env: env.name})
    }

    if (flags.via === 'exec') {
      const target = await execTargetForMigration(this.aws, env)
      if (flags['dry-run'])
        return this.dryRun({
          cluster: target.cluster,
          task: target.taskArn,
          container: target.container,
          interactive: true,
          command: wrapWithExitMarker(command),
        })
      await guard(`in running task ${target.taskId}`)
      this.logToStderr(
        `Running ${shJoin(command)} in container ${target.container} of task ${target.taskId} (${target.taskDefinition}) with ECS Exec`,
      )
      const result = await migrateViaExec({
        aws: this.aws,
        target,
        command,
        profile: flags.profile,
        collect: this.jsonEnabled(),
      })
      return this.finish(result, {plan: flags.plan, container: target.container})
    }

    const prepared = await prepareMigration(this.aws, env, {plan: flags.plan})
    if (flags['dry-run']) return this.dryRun(prepared.request)
    await guard(`one-off task of ${prepared.taskDefinition}`)

    const {result, lastStatus} = await runOneOff({...watching, prepared})
    return this.finish(result, {
      plan: flags.plan,
      container: prepared.container,
      timeoutMs: flags.timeout,
      lastStatus,
      env: env.name,
    })
  }

  private dryRun(request: unknown): {dryRun: true; request: unknown} {
    this.log(JSON.stringify(request, null, 2))
    process.exitCode = 0
    return {dryRun: true, request}
  }

  private finish(result: MigrateResult, o: Parameters<typeof renderOutcome>[1]): MigrateResult {
    for (const line of renderOutcome(result, o)) this.logToStderr(safeText(line))
    process.exitCode = migrateExitCode(result)
    return result
  }
}
