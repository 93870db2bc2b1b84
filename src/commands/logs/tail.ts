import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {ECSClient} from '@aws-sdk/client-ecs'
import {Args, Flags, ux} from '@oclif/core'
import ansis from 'ansis'

import {BaseCommand} from '../../base-command.js'
import {SERVICE_KEYS, type ServiceConfig} from '../../config.js'
import {EXIT, UserError} from '../../errors.js'
import type {LogTarget} from '../../lib/logs/filter.js'
import {normalizeTaskId, prefixWidthFor} from '../../lib/logs/format.js'
import {EXIT_INTERRUPTED, stdoutSink, watchInterrupts} from '../../lib/logs/output.js'
import {previousTask} from '../../lib/logs/previous.js'
import {selectServices} from '../../lib/logs/services.js'
import {tail, type TailSummary} from '../../lib/logs/tailer.js'
import {narrowToTask} from '../../lib/logs/task-stream.js'
import {resolveWindow, TIME_FORMS} from '../../lib/logs/time.js'
import {parseDuration} from '../../util/duration.js'
import {shq} from '../../util/shell.js'

/** A window that held no event: said on stderr, with a wider --since to try ("no events in the last 10m; try --since 1h"). */
export function noEventsNote(opts: {
  since?: string
  until?: string
  filter?: string
  task?: boolean
  previous?: boolean
}): string {
  const since = opts.since ?? '10m'
  const matching = opts.filter ? ' matching the filter' : ''
  if (opts.previous) return `no events${matching} in the stopped task's log stream`
  const ago = /^\s*\d+(?:\.\d+)?\s*[smhd]\s*$/i.test(since) ? parseDuration(since, '--since') : undefined
  const window =
    opts.until !== undefined
      ? `between --since ${since} and --until ${opts.until}`
      : ago === undefined
        ? `since ${since}`
        : `in the last ${since.trim()}`
  const wider = ago === undefined ? undefined : ['1h', '1d', '7d'].find((d) => parseDuration(d, '--since') > ago)
  const hint = opts.task
    ? ''
    : wider && opts.until === undefined
      ? `; try --since ${wider}`
      : '; try an earlier --since'
  return `no events${matching} ${window}${hint}`
}

/**
 * One target per service. Services sharing a log group (one group, stream prefixes) read only their own
 * streams, `<prefix>/<container>/`; a group of its own is read whole (Live Tail serves several groups then).
 */
export function logTargets(services: ServiceConfig[], all: ServiceConfig[] = services): LogTarget[] {
  const shared = (s: ServiceConfig): boolean => all.filter((o) => o.logGroup === s.logGroup).length > 1
  return services.map((s) => ({
    service: s.key,
    group: s.logGroup,
    ...(shared(s) && s.logStreamPrefix && {streamPrefix: `${s.logStreamPrefix}/${s.container}/`}),
  }))
}

export default class LogsTail extends BaseCommand<typeof LogsTail> {
  static override summary = "Print the services' CloudWatch logs interleaved by time, or stream them with --follow"
  static override description = `Reads the log groups of the named services (${SERVICE_KEYS.join(', ')}, or any other service of the environment by its short or full name; none = all), merged by timestamp, each line prefixed with the service and the short task id. --since and --until take ${TIME_FORMS}.

--follow prints the --since backlog, then streams with CloudWatch Logs Live Tail (reconnecting when a session ends after 3 hours), or polls FilterLogEvents every 2s when Live Tail is unavailable. A log group that does not exist yet is reported and looked for again while the others stream. --json prints one JSON object per event and line (timestamp, service, group, stream, taskId, message); notices go to stderr.

EXIT CODES
  0    done (with --follow: the reader closed the pipe)
  1    no log group exists, no stream or stopped task found, or AWS failed
  2    usage, configuration or credentials error (unknown service, bad --since)
  130  interrupted (Ctrl+C)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> web --environment staging --since 30m',
    '<%= config.bin %> <%= command.id %> web celery --follow --filter "?ERROR ?Traceback"',
    '<%= config.bin %> <%= command.id %> celery --previous',
    '<%= config.bin %> <%= command.id %> web --task 1a2b3c4d --since 2h',
    '<%= config.bin %> <%= command.id %> --since 2025-12-25T10:00:00Z --until 2025-12-25T10:15:00Z --json | jq -r .message',
  ]

  static override strict = false
  static override args = {
    service: Args.string({
      description: `Services to read: ${SERVICE_KEYS.join(', ')} or another service of the environment (several allowed; none = all).`,
    }),
  }
  static override flags = {
    since: Flags.string({
      summary: 'Start: a duration ago (10m, 2h, 1d) or an ISO 8601 time. Default: 10m.',
      helpValue: '<when>',
    }),
    until: Flags.string({
      summary: 'End: a duration ago or an ISO 8601 time. Default: now.',
      helpValue: '<when>',
      exclusive: ['follow'],
    }),
    filter: Flags.string({
      summary:
        'CloudWatch Logs filter pattern, applied by AWS: ERROR, "?ERROR ?Traceback", "{ $.level = \\"error\\" }".',
      helpValue: '<pattern>',
    }),
    follow: Flags.boolean({char: 'f', summary: 'Keep streaming new events until Ctrl+C.'}),
    task: Flags.string({
      summary: "Only this task's stream: task id, its first 8 characters, or task ARN. Needs one service.",
      helpValue: '<task-id>',
      exclusive: ['previous'],
    }),
    previous: Flags.boolean({
      summary: "Why the service's last stopped task stopped, and its logs. Needs one service.",
      exclusive: ['follow', 'since', 'until', 'task'],
    }),
  }

  public async run(): Promise<TailSummary | undefined> {
    const {flags} = this
    const {argv} = await this.parse(LogsTail)
    let window = resolveWindow({since: flags.since, until: flags.until, now: this.now().getTime()})
    // The environment as the account has it: every service, each one's container, log group and stream prefix.
    const {env} = await this.runContext()
    const services = selectServices(env, argv as string[])
    const elsewhere = services.filter((s) => s.logElsewhere)
    if (elsewhere.length > 0) {
      throw new UserError(`${elsewhere.map((s) => `${s.key}: ${s.logElsewhere}`).join('; ')}.`, {
        exit: EXIT.FAILED,
        code: 'LOGS_ELSEWHERE',
        suggestions: [
          'Read them where that driver sends them; name only services that log to CloudWatch Logs (awslogs).',
        ],
      })
    }

    const single = flags.previous ? '--previous' : flags.task ? '--task' : undefined
    if (single && services.length !== 1) {
      throw new UserError(`${single} needs exactly one service.`, {
        code: 'USAGE',
        suggestions: [
          `For example: allthrive logs tail web ${shq(single)}${flags.task ? ` ${shq(flags.task)}` : ''} --environment ${shq(flags.environment)}`,
        ],
      })
    }

    const {cluster, name: environment} = env
    const interrupts = watchInterrupts()
    const {signal} = interrupts
    const json = this.jsonEnabled()
    const sink = stdoutSink({
      json,
      signal,
      format: {
        color: !json && Boolean(process.stdout.isTTY) && ansis.isSupported(),
        prefixWidth: prefixWidthFor(services.map((s) => s.key)),
      },
    })
    const logs = this.aws.client(CloudWatchLogsClient)
    let targets: LogTarget[] = logTargets(services, env.services)
    let summary: TailSummary | undefined
    try {
      let taskId = flags.task ? normalizeTaskId(flags.task) : undefined
      if (flags.previous) {
        await this.clusterContext() // the account has no cluster of the environment: say what was searched
        const previous = await previousTask(this.aws.client(ECSClient), {
          cluster,
          environment,
          service: services[0],
          now: this.now().getTime(),
          signal,
          notice: sink.notice,
        })
        taskId = previous.taskId
        window = previous.window
      }

      if (taskId) {
        const hint = flags.previous
          ? 'The task may have stopped before its container wrote anything: see why it stopped above.'
          : `Check the task id: aws ecs list-tasks --cluster ${shq(cluster)} --service-name ${shq(services[0].name)}`
        targets = [
          await narrowToTask(logs, targets[0], {
            container: services[0].container,
            taskId,
            follow: flags.follow,
            signal,
            notice: sink.notice,
            hint,
          }),
        ]
      }

      const liveTail = flags.follow ? await this.liveTailArns() : undefined
      summary = await tail(
        logs,
        {targets, ...window, filterPattern: flags.filter, follow: flags.follow, liveTail, signal},
        sink,
      )
    } catch (error) {
      // AWS failures (AccessDenied, throttling) become exit 1 with the fix in the base command.
      if (!signal.aborted) throw error
    } finally {
      interrupts.dispose()
    }

    if (summary?.events === 0 && !flags.follow && !interrupts.interrupted()) {
      this.logToStderr(
        noEventsNote({
          since: flags.since,
          until: flags.until,
          filter: flags.filter,
          task: Boolean(flags.task),
          previous: flags.previous,
        }),
      )
    }

    process.exitCode = interrupts.interrupted() ? EXIT_INTERRUPTED : EXIT.OK
    // With --json every event is already out as its own line: nothing more for oclif to print.
    return json ? undefined : summary
  }

  /** One line per JSON value: an error with --json stays one NDJSON line too. */
  override logJson(json: unknown): void {
    ux.stdout(JSON.stringify(json))
  }

  /** Live Tail takes log group ARNs: built from the caller's account, partition and region. */
  private async liveTailArns(): Promise<{arnOf(group: string): string}> {
    const {accountId, arn, region} = await this.identity()
    const partition = arn?.split(':')[1] || 'aws'
    return {arnOf: (group) => `arn:${partition}:logs:${region}:${accountId}:log-group:${group}`}
  }
}
