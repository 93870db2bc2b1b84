import {CloudWatchLogsClient} from '@aws-sdk/client-cloudwatch-logs'
import {ECSClient} from '@aws-sdk/client-ecs'
import {Args, Flags, ux} from '@oclif/core'
import ansis from 'ansis'

import {BaseCommand} from '../../base-command.js'
import {SERVICE_KEYS} from '../../config.js'
import {EXIT, UserError} from '../../errors.js'
import type {LogTarget} from '../../lib/logs/filter.js'
import {normalizeTaskId, prefixWidthFor} from '../../lib/logs/format.js'
import {EXIT_INTERRUPTED, stdoutSink, watchInterrupts} from '../../lib/logs/output.js'
import {previousTask} from '../../lib/logs/previous.js'
import {selectServices} from '../../lib/logs/services.js'
import {tail, type TailSummary} from '../../lib/logs/tailer.js'
import {narrowToTask} from '../../lib/logs/task-stream.js'
import {resolveWindow, TIME_FORMS} from '../../lib/logs/time.js'
import {shq} from '../../util/shell.js'

export default class LogsTail extends BaseCommand<typeof LogsTail> {
  static override summary = 'Print the services\' CloudWatch logs interleaved by time, or stream them with --follow'
  static override description = `Reads the log groups of the named services (${SERVICE_KEYS.join(', ')}; none = all four), merged by timestamp, each line prefixed with the service and the short task id. --since and --until take ${TIME_FORMS}.

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
  static override args = {service: Args.string({description: `Services to read: ${SERVICE_KEYS.join(', ')} (several allowed; none = all).`})}
  static override flags = {
    since: Flags.string({summary: 'Start: a duration ago (10m, 2h, 1d) or an ISO 8601 time. Default: 10m.', helpValue: '<when>'}),
    until: Flags.string({summary: 'End: a duration ago or an ISO 8601 time. Default: now.', helpValue: '<when>', exclusive: ['follow']}),
    filter: Flags.string({summary: 'CloudWatch Logs filter pattern, applied by AWS: ERROR, "?ERROR ?Traceback", "{ $.level = \\"error\\" }".', helpValue: '<pattern>'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep streaming new events until Ctrl+C.'}),
    task: Flags.string({summary: 'Only this task\'s stream: task id, its first 8 characters, or task ARN. Needs one service.', helpValue: '<task-id>', exclusive: ['previous']}),
    previous: Flags.boolean({summary: 'Why the service\'s last stopped task stopped, and its logs. Needs one service.', exclusive: ['follow', 'since', 'until', 'task']}),
  }

  public async run(): Promise<TailSummary | undefined> {
    const {flags} = this
    const {argv} = await this.parse(LogsTail)
    const services = selectServices(this.envConfig, argv as string[])
    const single = flags.previous ? '--previous' : flags.task ? '--task' : undefined
    if (single && services.length !== 1) {
      throw new UserError(`${single} needs exactly one service.`, {code: 'USAGE', suggestions: [`For example: allthrive logs tail web ${shq(single)}${flags.task ? ` ${shq(flags.task)}` : ''} --environment ${shq(flags.environment)}`]})
    }

    let window = resolveWindow({since: flags.since, until: flags.until, now: this.now().getTime()})
    const {cluster, name: environment} = this.envConfig
    const interrupts = watchInterrupts()
    const {signal} = interrupts
    const json = this.jsonEnabled()
    const sink = stdoutSink({json, signal, format: {color: !json && Boolean(process.stdout.isTTY) && ansis.isSupported(), prefixWidth: prefixWidthFor(services.map((s) => s.key))}})
    const logs = this.aws.client(CloudWatchLogsClient)
    let targets: LogTarget[] = services.map((s) => ({service: s.key, group: s.logGroup}))
    let summary: TailSummary | undefined
    try {
      let taskId = flags.task ? normalizeTaskId(flags.task) : undefined
      if (flags.previous) {
        const previous = await previousTask(this.aws.client(ECSClient), {cluster, environment, service: services[0], now: this.now().getTime(), signal, notice: sink.notice})
        taskId = previous.taskId
        window = previous.window
      }

      if (taskId) {
        const hint = flags.previous
          ? 'The task may have stopped before its container wrote anything: see why it stopped above.'
          : `Check the task id: aws ecs list-tasks --cluster ${shq(cluster)} --service-name ${shq(services[0].name)}`
        targets = [await narrowToTask(logs, targets[0], {container: services[0].container, taskId, follow: flags.follow, signal, notice: sink.notice, hint})]
      }

      const liveTail = flags.follow ? await this.liveTailArns() : undefined
      summary = await tail(logs, {targets, ...window, filterPattern: flags.filter, follow: flags.follow, liveTail, signal}, sink)
    } catch (error) {
      // AWS failures (AccessDenied, throttling) become exit 1 with the fix in the base command.
      if (!signal.aborted) throw error
    } finally {
      interrupts.dispose()
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
