import {DescribeTaskDefinitionCommand, type Task} from '@aws-sdk/client-ecs'
import {beforeEach, describe, expect, it} from 'vitest'

import {execReady} from '../../../src/checks/exec-ready.js'
import {serviceByKey} from '../../../src/config.js'
import {runPreflight} from '../../../src/lib/exec/preflight.js'
import {execContainer, taskReadiness} from '../../../src/lib/exec/readiness.js'
import {mocks, resetMocks} from '../../helpers/aws.js'
import {ctxWith} from '../../helpers/context.js'
import {describeServices, listTasks} from '../../helpers/ecs.js'
import {container, service, task, taskDefinition} from './fixtures.js'

/** The tasks both commands meet: ready, and each way of not being ready. */
const CASES: [string, Task, boolean][] = [
  ['ready', task('0aaa1111'), true],
  ['the only container, named otherwise than the model says', task('0aaa1111', {}, {name: 'app'}), true],
  [
    "two containers, none the model's",
    task('0aaa1111', {containers: [container({name: 'app'}), container({name: 'nginx'})]}),
    false,
  ],
  [
    'exec agent stopped',
    task('0aaa1111', {}, {managedAgents: [{name: 'ExecuteCommandAgent', lastStatus: 'STOPPED'}]}),
    false,
  ],
  ['container stopped', task('0aaa1111', {}, {lastStatus: 'STOPPED'}), false],
  ['task started without ECS Exec', task('0aaa1111', {enableExecuteCommand: false}, {managedAgents: []}), false],
  ['Fargate 1.3.0', task('0aaa1111', {platformVersion: '1.3.0'}), false],
]

describe('one model of ECS Exec readiness', () => {
  beforeEach(() => resetMocks())

  it.each(CASES)('exec --check and the exec-ready check agree on a task: %s', async (_, t, ready) => {
    describeServices([service()])
    listTasks([t])
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({taskDefinition: taskDefinition()})
    const ctx = ctxWith()
    const preflight = await runPreflight({
      env: ctx.env,
      aws: ctx.aws,
      service: serviceByKey(ctx.env, 'web'),
      findPlugin: () => '/usr/bin/session-manager-plugin',
    })
    const check = await execReady.run(ctx)
    const checkSaysReady = (check.details ?? []).some((d) => d.startsWith('web: task 0aaa1111 ready'))
    expect(preflight.ready).toBe(ready)
    expect(checkSaysReady).toBe(ready)
  })

  it('connects to the named container; to the only one unless --container named another', () => {
    const single = task('0aaa1111', {}, {name: 'app'})
    expect(execContainer(single, 'web')?.name).toBe('app')
    expect(execContainer(single, 'web', {explicit: true})).toBeUndefined()
    expect(taskReadiness(single, {container: 'web', taskRoleArn: 'arn:aws:iam::1:role/r'})).toMatchObject({
      ready: true,
      unmet: [],
    })
    expect(taskReadiness(single, {container: 'web'}).unmet).toEqual(['task-role'])
  })
})
