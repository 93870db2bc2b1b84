import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {randomBytes} from 'node:crypto'
import {beforeAll, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import type {LogLine} from '../../../src/lib/logs/format.js'
import {tail} from '../../../src/lib/logs/tailer.js'

/**
 * `logs tail` against a local emulator (moto), through the real SDK and client factory
 * (disableHostPrefix for Live Tail). Creates its own `tmp-logs-e2e-*` groups; deletes nothing.
 * moto's Live Tail sends a snapshot of existing events and ends the session at once, so
 * following falls back to polling there (AWS keeps sessions open for 3 hours).
 */
describe.skipIf(!process.env.AWS_ENDPOINT_URL)('logs tail against the emulator', () => {
  const run = randomBytes(4).toString('hex')
  const web = `tmp-logs-e2e-${run}-web`
  const celery = `tmp-logs-e2e-${run}-celery`
  const stream = (svc: string, task: string) => `ecs/${svc}/${task.repeat(32 / task.length)}`
  const aws = createAwsClients({region: process.env.AWS_REGION ?? 'us-east-1'})
  const client = aws.client(CloudWatchLogsClient)
  const now = Date.now()

  const put = (group: string, logStreamName: string, timestamp: number, message: string) =>
    client.send(new PutLogEventsCommand({logGroupName: group, logStreamName, logEvents: [{timestamp, message}]}))

  beforeAll(async () => {
    for (const [group, svc] of [
      [web, 'web'],
      [celery, 'celery'],
    ]) {
      await client.send(new CreateLogGroupCommand({logGroupName: group}))
      for (const task of ['a1', 'b2'])
        await client.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: stream(svc, task)}))
    }

    await put(web, stream('web', 'a1'), now - 3000, 'web first')
    await put(celery, stream('celery', 'b2'), now - 2000, 'celery second')
    await put(web, stream('web', 'b2'), now - 1000, 'web third')
  })

  const targets = [
    {service: 'web', group: web},
    {service: 'celery', group: celery},
    {service: 'weaviate', group: `tmp-logs-e2e-${run}-weaviate`},
  ]

  it('interleaves two groups by time and names the one that does not exist', async () => {
    const lines: LogLine[] = []
    const notices: string[] = []
    await tail(
      client,
      {targets, startTime: now - 60_000, follow: false, signal: new AbortController().signal},
      {event: (l) => void lines.push(l), notice: (m) => void notices.push(m)},
    )
    expect(lines.map((l) => `${l.service}/${l.taskId?.slice(0, 2)} ${l.message}`)).toEqual([
      'web/a1 web first',
      'celery/b2 celery second',
      'web/b2 web third',
    ])
    expect(notices).toEqual([`Log group tmp-logs-e2e-${run}-weaviate (weaviate) does not exist: skipped.`])
  })

  it('follows with Live Tail, falls back to polling, and prints each event once', async () => {
    const controller = new AbortController()
    const lines: LogLine[] = []
    const notices: string[] = []
    let wrote = false
    const done = tail(
      client,
      {
        targets,
        startTime: now - 60_000,
        follow: true,
        liveTail: {arnOf: (g) => `arn:aws:logs:us-east-1:123456789012:log-group:${g}`},
        signal: controller.signal,
        pollIntervalMs: 200,
      },
      {
        event(l) {
          lines.push(l)
          if (l.message === 'written while following') controller.abort()
        },
        notice(m) {
          notices.push(m)
          if (m.includes('polling') && !wrote) {
            wrote = true
            void put(celery, stream('celery', 'a1'), Date.now(), 'written while following')
          }
        },
      },
    )
    const summary = await done
    expect(lines.map((l) => l.message)).toEqual(['web first', 'celery second', 'web third', 'written while following'])
    expect(summary).toMatchObject({mode: 'poll', stopped: true})
    aws.destroy()
  }, 30_000)
})
