import ansis from 'ansis'

import {safeText} from '../../util/safe-text.js'

/** One log event, whichever API it came from (FilterLogEvents or Live Tail). */
export interface LogLine {
  /** Epoch milliseconds, as CloudWatch Logs stores it. */
  timestamp: number
  /** Config key of the service ("web"). */
  service: string
  /** Log group name ("/ecs/production-allthrive-web"). */
  group: string
  stream: string
  /** ECS task id, from the stream name; undefined when the stream is not an awslogs task stream. */
  taskId: string | undefined
  message: string
  /** FilterLogEvents only (Live Tail events have none). */
  eventId?: string
}

/** What `--json` prints, one object per line. */
export interface LogLineJson {
  timestamp: string
  service: string
  group: string
  stream: string
  taskId: string | null
  message: string
}

/**
 * ECS awslogs streams are named `<prefix>/<container>/<taskId>`: the task id is the last part.
 * Anything else (a stream written by another agent) has no task id.
 */
export function taskIdFromStream(stream: string): string | undefined {
  const parts = stream.split('/')
  const last = parts.at(-1) ?? ''
  return parts.length >= 3 && last ? last : undefined
}

/** The first 8 characters of a task id, like a short git hash; enough to tell a service's tasks apart. */
export const shortTaskId = (taskId: string): string => taskId.slice(0, 8)

/** A stream name, task ARN or task id → the task id part ("arn:…:task/cluster/1a2b…" → "1a2b…"). */
export const normalizeTaskId = (input: string): string => input.trim().split('/').pop() ?? ''

/** Log messages end with the newline the application wrote: drop it (and a carriage return). */
const trimMessage = (message: string): string => message.replace(/\r?\n$/, '')

export function toJsonLine(line: LogLine): LogLineJson {
  return {
    timestamp: new Date(line.timestamp).toISOString(),
    service: line.service,
    group: line.group,
    stream: line.stream,
    taskId: line.taskId ?? null,
    message: trimMessage(line.message),
  }
}

/** Service colours, stable per service so `web` is always the same colour. */
const PALETTE = [ansis.cyan, ansis.magenta, ansis.yellow, ansis.green, ansis.blue, ansis.red]
const SERVICE_COLOUR: Record<string, number> = {web: 0, celery: 1, 'celery-beat': 2, weaviate: 3}

export interface HumanFormat {
  /** ANSI colours (a terminal without NO_COLOR). */
  color: boolean
  /** Width the "service/task" prefix is padded to, so messages line up. */
  prefixWidth: number
}

/** The padding that fits every prefix of these services: "celery-beat/1a2b3c4d". */
export const prefixWidthFor = (services: readonly string[]): number => Math.max(0, ...services.map((s) => s.length)) + 9

/**
 * "web/1a2b3c4d  | 2025-12-25T10:00:00.123Z GET /api/health/ 200".
 * Every line of a multi-line message (a traceback) carries the prefix, so grep keeps the context.
 */
export function formatLine(line: LogLine, fmt: HumanFormat): string {
  const label = (line.taskId ? `${line.service}/${shortTaskId(line.taskId)}` : line.service).padEnd(fmt.prefixWidth)
  const paint = fmt.color
    ? PALETTE[(SERVICE_COLOUR[line.service] ?? hash(line.service)) % PALETTE.length]
    : (s: string) => s
  const stamp = new Date(line.timestamp).toISOString()
  const prefix = `${paint(label)} |`
  const [first, ...rest] = trimMessage(line.message)
    .split(/\r?\n/)
    .map((l) => safeText(l))
  const time = fmt.color ? ansis.dim(stamp) : stamp
  return [`${prefix} ${time} ${first}`, ...rest.map((l) => `${prefix} ${' '.repeat(stamp.length)} ${l}`)].join('\n')
}

function hash(s: string): number {
  let h = 0
  for (const c of s) h = (h * 31 + c.codePointAt(0)!) >>> 0
  return h
}
