import {describe, expect, it} from 'vitest'

import {migrationRunningError, renderOutcome} from '../../../src/lib/migrate/render.js'
import type {MigrateResult} from '../../../src/lib/migrate/result.js'
import {CLUSTER, task} from '../exec/fixtures.js'

const result = (overrides: Partial<MigrateResult>): MigrateResult => ({
  outcome: 'succeeded',
  via: 'run-task',
  taskArn: 'arn',
  taskId: '0aaa1111',
  cluster: CLUSTER,
  command: ['python'],
  startedAt: null,
  stoppedAt: null,
  durationMs: 83_000,
  exitCode: 0,
  stopCode: null,
  stoppedReason: null,
  containerReason: null,
  logGroup: '/ecs/production-allthrive-web',
  logStream: 'ecs/web/0aaa1111',
  logLines: [],
  ...overrides,
})

describe('renderOutcome', () => {
  it('says how it ended', () => {
    expect(renderOutcome(result({}), {plan: false, container: 'web'})).toEqual([
      '✔ Migration finished: web exited 0 after 1m23s.',
    ])
    expect(
      renderOutcome(
        result({
          outcome: 'failed',
          exitCode: 137,
          containerReason: 'OutOfMemoryError: Container killed due to memory usage',
        }),
        {plan: true, container: 'web'},
      )[0],
    ).toBe(
      '✖ Migration plan failed: web exited 137 (OutOfMemoryError: Container killed due to memory usage) after 1m23s.',
    )
    expect(
      renderOutcome(
        result({
          outcome: 'not-started',
          exitCode: null,
          explanation: {
            summary: 'ECS could not pull the image.',
            fix: 'Check the tag.',
            detail: 'CannotPullContainerError: x',
          },
        }),
        {plan: false, container: 'web'},
      ),
    ).toEqual([
      '✖ The migration task 0aaa1111 never started: ECS could not pull the image.',
      '  ECS said: CannotPullContainerError: x',
      '  Fix: Check the tag.',
    ])
  })

  it('after a timeout, says the task keeps running and how to watch and stop it', () => {
    const lines = renderOutcome(result({outcome: 'timeout', exitCode: null}), {
      plan: false,
      container: 'web',
      timeoutMs: 600_000,
      lastStatus: 'RUNNING',
    })
    expect(lines[0]).toBe(
      '✖ Stopped waiting after 10m (--timeout): task 0aaa1111 is still RUNNING and keeps running in ECS.',
    )
    expect(lines.join('\n')).toContain(`aws ecs stop-task --cluster ${CLUSTER} --task 0aaa1111`)
    expect(lines.join('\n')).toContain(
      'aws logs tail /ecs/production-allthrive-web --log-stream-names ecs/web/0aaa1111 --follow',
    )
  })
})

describe('migrationRunningError', () => {
  it('names the running task, when it started, and the commands to watch or stop it', () => {
    const e = migrationRunningError(
      [task('0ccc3333', {startedBy: 'allthrive-migrate', startedAt: new Date('2026-11-26T10:00:00Z')})],
      CLUSTER,
      Date.parse('2026-11-26T10:07:00Z'),
    )
    expect(e.message).toBe(
      `Another migration is still running in ${CLUSTER}: task 0ccc3333 (RUNNING, started 2026-11-26T10:00:00.000Z, 7m ago). Two migrations at once can leave the schema half-applied; nothing was started.`,
    )
    expect(e.exit).toBe(1)
    expect(e.suggestions.join('\n')).toMatch(
      /aws ecs describe-tasks --cluster production-allthrive-cluster --tasks 0ccc3333[\s\S]*aws ecs stop-task --cluster production-allthrive-cluster --task 0ccc3333/,
    )
  })
})
