import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {findService, SERVICE_KEYS, unknownServiceError} from '../config.js'
import {EXIT, UserError} from '../errors.js'
import {formatDuration} from '../util/duration.js'
import {wrapWithExitMarker} from '../lib/exec/command-line.js'
import {type Preflight, runPreflight} from '../lib/exec/preflight.js'
import {renderPreflight} from '../lib/exec/render.js'
import {execInContainer} from '../lib/exec/session.js'
import {confirmChange} from '../util/confirm.js'
import {safeText} from '../util/safe-text.js'
import {shJoin} from '../util/shell.js'

export default class Exec extends BaseCommand<typeof Exec> {
  static override summary = 'Open a shell, or run one command, in a running container of a service (ECS Exec)'
  static override description = `Picks a RUNNING task of the service's PRIMARY deployment whose container has the ECS Exec agent running (the most recently started), checks every ECS Exec requirement first, and hands the session to AWS's session-manager-plugin the way \`aws ecs execute-command\` does. Without a command it opens the environment's shell (exec.command, default /bin/bash); after \`--\` it runs one command. The task and container are printed on stderr; stdout is the remote's (a pseudo-terminal: stderr merged, lines end in CRLF).

HOW THE EXIT CODE IS KNOWN
  ECS Exec does not carry the remote exit status: session-manager-plugin exits 0 whenever the session ends normally, whatever the command returned (aws/amazon-ecs-agent#2846, aws/session-manager-plugin#59). So a one-off command is run as  sh -c '<command>; echo __ALLTHRIVE_EXIT=$?'  and that last line is read back, removed from the output, and returned as our exit code. An interactive shell, or a command run with --no-exit-code (for images without sh), returns the plugin's status: 0 when the session ended normally, whatever the remote returned.

On a protected environment (production by default) it says which environment and task it is entering and asks you to type the environment's name first; --yes skips the question (for scripts); without a terminal on stdin and without --yes it refuses (exit 2).

The plugin needs a terminal on stdin: in CI, prefer \`allthrive migrate\` (a one-off task) or run under  script -qec "allthrive exec ..." /dev/null.

EXIT CODES
  0    the session ended normally; the one-off command exited 0; --check: ready
  N    the one-off command's own exit status (1-255)
  1    not ready (--check, or the preflight named the blocking cause), ECS refused the session, or the command's status was not reported
  2    usage, configuration or credentials error (unknown service, ambiguous --task prefix, --json without --check), or the confirmation was declined or refused without a terminal (use --yes)
  130  interrupted with Ctrl+C at the confirmation
  *    otherwise the session-manager-plugin's own exit status (the session could not run)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> web',
    '<%= config.bin %> <%= command.id %> web --environment staging -- python manage.py check --deploy',
    '<%= config.bin %> <%= command.id %> celery --task 3f2a --container celery',
    '<%= config.bin %> <%= command.id %> web --check --json',
    '<%= config.bin %> <%= command.id %> web --environment production --yes -- python manage.py showmigrations',
  ]

  static override usage = ['<%= command.id %> SERVICE [FLAGS] [-- COMMAND...]']
  static override strict = false
  static override args = {
    service: Args.string({
      description: `Service: ${SERVICE_KEYS.join(', ')}, or another service of the environment by its short or full name. A command to run may follow after --.`,
      required: true,
    }),
  }

  static override flags = {
    container: Flags.string({
      summary: "Container to connect to. Default: the service's container in config (web → web).",
    }),
    task: Flags.string({
      summary:
        'Task id (or a unique prefix). Default: the newest RUNNING task of the PRIMARY deployment with the exec agent running.',
    }),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Enter a container on a protected environment without asking (for scripts).',
    }),
    check: Flags.boolean({
      summary: 'Only check the ECS Exec requirements and report each with its fix (exit 0 ready, 1 not).',
    }),
    'exit-code': Flags.boolean({
      summary:
        "Learn a one-off command's exit status by wrapping it in sh -c (--no-exit-code: run it as is, return the plugin's status).",
      default: true,
      allowNo: true,
    }),
  }

  public async run(): Promise<Record<string, unknown>> {
    const {flags} = this
    const {argv} = await this.parse({
      args: Exec.args,
      baseFlags: BaseCommand.baseFlags,
      enableJsonFlag: true,
      flags: Exec.flags,
      strict: false,
    })
    const words = (argv as string[]).slice(1)
    if (this.jsonEnabled() && !flags.check) {
      throw new UserError("--json works with --check only: a session's output is the remote's.", {
        code: 'JSON_NEEDS_CHECK',
        suggestions: ['Add --check, or leave out --json.'],
      })
    }

    // The environment as the account has it: the service (any of the cluster's), its container from the task definition.
    const {env} = await this.clusterContext()
    const service = findService(env, this.args.service)
    if (!service)
      throw unknownServiceError(env, this.args.service, [`See them with: allthrive config show -e ${env.name}`])
    const preflight = await runPreflight({env, aws: this.aws, service, container: flags.container, task: flags.task})
    if (flags.check) return this.report(preflight, service.name)

    const {blocking, target} = preflight
    if (!target) {
      throw new UserError(
        `Cannot open ECS Exec in ${service.name} (${env.name}): ${blocking?.summary ?? 'no task to connect to.'}`,
        {
          code: `EXEC_NOT_READY_${(blocking?.id ?? 'unknown').toUpperCase().replaceAll('-', '_')}`,
          exit: EXIT.FAILED,
          suggestions: blocking?.fix ? blocking.fix.split('\n') : [],
        },
      )
    }

    const interactive = words.length === 0
    const captureExit = !interactive && flags['exit-code']
    const command = interactive ? env.exec.command : captureExit ? wrapWithExitMarker(words) : shJoin(words)
    const age = target.startedAt
      ? `, started ${formatDuration(this.now().getTime() - target.startedAt.getTime())} ago`
      : ''
    const shown = interactive ? command : shJoin(words)
    const where = `container ${target.container} of task ${target.taskId} (${target.taskDefinition}${age}) in ${target.cluster}`
    this.logToStderr(safeText(`Entering ${env.name}: ${where}: ${shown}`))
    const again = [
      this.config.bin,
      'exec',
      this.args.service,
      '--environment',
      env.name,
      ...(flags.task ? ['--task', flags.task] : []),
      ...(flags.container ? ['--container', flags.container] : []),
    ]
    await confirmChange({
      env,
      action: `${interactive ? `open a shell (${shown})` : `run ${shown}`} in task ${target.taskId} of ${service.name}`,
      yes: flags.yes,
      command: shJoin([...again, ...(interactive ? [] : ['--', ...words])]),
      yesCommand: shJoin([...again, '--yes', ...(interactive ? [] : ['--', ...words])]),
    })
    const result = await execInContainer({
      aws: this.aws,
      target,
      command,
      captureExit,
      profile: flags.profile,
      warn: (l) => this.logToStderr(l),
      recheck: shJoin([this.config.bin, 'exec', this.args.service, '--environment', env.name, '--check']),
    })
    if (captureExit && result.remoteExit === undefined) {
      this.logToStderr(
        `The command's exit status was not reported (the session ended first, or the image has no sh: try --no-exit-code); exiting ${result.exitCode}.`,
      )
    }

    process.exitCode = result.exitCode
    return {...result, taskId: target.taskId, container: target.container}
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // `allthrive exec web python manage.py check --deploy`: the remote command's flags were read as ours.
    if (/^Nonexistent flags?:/.test(err.message ?? '')) {
      return super.catch(
        new UserError(
          `${err.message.split('\n')[0]}. A command for the container goes after --, so that its flags are not read as allthrive's.`,
          {
            code: 'NONEXISTENT_FLAG',
            suggestions: [
              `${this.config.bin} exec ${this.argv.find((a) => (SERVICE_KEYS as readonly string[]).includes(a)) ?? 'web'} -- <command and its flags>`,
            ],
          },
        ),
      )
    }

    return super.catch(err)
  }

  private report(preflight: Preflight, serviceName: string): Record<string, unknown> {
    const env = this.envConfig // resolved by runContext(): the discovered model
    if (!this.jsonEnabled())
      for (const line of renderPreflight(
        preflight,
        `ECS Exec preflight: ${serviceName} in ${env.cluster} (${env.name})`,
      ))
        this.log(safeText(line))
    process.exitCode = preflight.ready ? EXIT.OK : EXIT.FAILED
    return {environment: env.name, cluster: env.cluster, service: serviceName, ...preflight}
  }
}
