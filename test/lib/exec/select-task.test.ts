import {describe, expect, it} from 'vitest'

import {UserError} from '../../../src/errors.js'
import {chooseTask, isPrimaryTask, matchTask} from '../../../src/lib/exec/select-task.js'
import {OLD_TD_ARN, service, task} from './fixtures.js'

describe('chooseTask', () => {
  const svc = service()

  it('prefers the PRIMARY deployment over an older one, even when the older task is newer', () => {
    const old = task('old1', {
      startedBy: 'ecs-svc/2222222222222222222',
      taskDefinitionArn: OLD_TD_ARN,
      startedAt: new Date('2026-11-26T11:00:00Z'),
    })
    const primary = task('new1')
    expect(chooseTask([old, primary], svc, 'web')?.taskArn).toBe(primary.taskArn)
  })

  it('prefers a task whose exec agent is RUNNING, then the most recently started', () => {
    const pending = task(
      'aaa',
      {startedAt: new Date('2026-11-26T11:00:00Z')},
      {managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'PENDING'}]},
    )
    const older = task('bbb', {startedAt: new Date('2026-11-26T09:00:00Z')})
    const newer = task('ccc', {startedAt: new Date('2026-11-26T10:30:00Z')})
    expect(chooseTask([pending, older, newer], svc, 'web')?.taskArn).toBe(newer.taskArn)
    expect(chooseTask([pending], svc, 'web')?.taskArn).toBe(pending.taskArn) // still chosen, so the preflight can say why
    expect(chooseTask([], svc, 'web')).toBeUndefined()
  })

  it('counts a task of the primary task definition as primary when startedBy is another id', () => {
    expect(isPrimaryTask(task('x', {startedBy: 'someone'}), svc)).toBe(true)
    expect(isPrimaryTask(task('x', {startedBy: 'someone', taskDefinitionArn: OLD_TD_ARN}), svc)).toBe(false)
  })
})

describe('matchTask (--task)', () => {
  const tasks = [task('3f2a9c0d'), task('3f2b1e4f'), task('9a8b7c6d')]

  it('takes an exact id, an ARN, or a unique prefix', () => {
    expect(matchTask(tasks, '9a8b7c6d', 'web').taskArn).toBe(tasks[2].taskArn)
    expect(matchTask(tasks, tasks[1].taskArn!, 'web').taskArn).toBe(tasks[1].taskArn)
    expect(matchTask(tasks, '3f2a', 'web').taskArn).toBe(tasks[0].taskArn)
  })

  it('is a usage error (exit 2) listing the matches when the prefix is ambiguous', () => {
    const e = (() => {
      try {
        return matchTask(tasks, '3f2', 'production-allthrive-web')
      } catch (error) {
        return error
      }
    })() as UserError
    expect(e).toBeInstanceOf(UserError)
    expect(e.exit).toBe(2)
    expect(e.message).toMatch(
      /^--task 3f2 matches 2 tasks of production-allthrive-web: 3f2a9c0d \(RUNNING, started .*\), 3f2b1e4f/,
    )
  })

  it('is a usage error listing the running tasks when nothing matches', () => {
    expect(() => matchTask(tasks, 'zzz', 'web')).toThrow(
      /No running task of web matches --task zzz\. Running tasks: 3f2a9c0d/,
    )
  })
})
