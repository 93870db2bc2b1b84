import type {Task} from '@aws-sdk/client-ecs'
import {describe, expect, it} from 'vitest'

import {explainNotStarted, explainRunTaskFailure} from '../../../src/lib/migrate/stop-reasons.js'
import {task} from '../exec/fixtures.js'

const stopped = (overrides: Partial<Task>, reason?: string): Task =>
  task(
    '0aaa1111',
    {
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedAt: undefined,
      stopCode: 'TaskFailedToStart',
      ...overrides,
    },
    {lastStatus: 'STOPPED', exitCode: undefined, reason, managedAgents: []},
  )

describe('explainNotStarted', () => {
  it.each([
    [
      'image pull',
      stopped({
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/allthrive-web:v43: not found',
      }),
      /^ECS could not pull the container image 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/allthrive-web:v42: the tag does not exist/,
      /ecr:BatchGetImage/,
    ],
    [
      'image pull, no route',
      stopped({
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do request: Head "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/": dial tcp 52.1.2.3:443: i/o timeout',
      }),
      /^ECS could not reach the registry/,
      /NAT gateway/,
    ],
    [
      'secrets',
      stopped({
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:production/allthrive/database-AbCdEf from secrets manager: AccessDeniedException',
      }),
      /^ECS could not fetch the task's secrets \(or the registry credentials\) before starting it\.$/,
      /secretsmanager:GetSecretValue/,
    ],
    [
      'logging',
      stopped({
        stoppedReason:
          'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
      }),
      /could not set up the container's logging/,
      /aws logs create-log-group/,
    ],
    [
      'network',
      stopped({stoppedReason: 'Timeout waiting for network interface provisioning to complete.'}),
      /could not give the task a network interface/,
      /AvailableIpAddressCount/,
    ],
    [
      'capacity',
      stopped({
        stoppedReason:
          'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      }),
      /no capacity/,
      /Run again in a few minutes/,
    ],
    [
      'spot',
      stopped({stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.'}),
      /reclaimed the Fargate Spot capacity/,
      /FARGATE \(not FARGATE_SPOT\)/,
    ],
    [
      'command',
      stopped(
        {stoppedReason: 'Essential container in task exited'},
        'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "pythn": executable file not found in $PATH',
      ),
      /could not start the migration command/,
      /migrate\.command/,
    ],
  ])('%s', (_name, t, summary, fix) => {
    const e = explainNotStarted(t, 'web')
    expect(e.summary).toMatch(summary)
    expect(e.fix).toMatch(fix)
    expect(e.detail).toContain(t.stoppedReason)
  })

  it('names a sidecar that exited before the container ran', () => {
    const t = stopped({stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited'})
    t.containers!.push({name: 'xray', exitCode: 1, lastStatus: 'STOPPED'})
    expect(explainNotStarted(t, 'web').summary).toBe(
      'Another essential container, xray, exited (code 1) before web ran.',
    )
  })

  it("falls back to ECS's words with the command that shows them", () => {
    const e = explainNotStarted(stopped({stoppedReason: 'Something new'}), 'web')
    expect(e.summary).toBe('The task stopped before web ran (TaskFailedToStart).')
    expect(e.fix).toMatch(/aws ecs describe-tasks --cluster production-allthrive-cluster --tasks 0aaa1111/)
  })
})

describe('explainRunTaskFailure', () => {
  it('puts RunTask failures in plain words', () => {
    expect(
      explainRunTaskFailure({arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/x', reason: 'MISSING'}).summary,
    ).toBe('ECS could not find arn:aws:ecs:us-east-1:123456789012:cluster/x (MISSING).')
    expect(
      explainRunTaskFailure({
        reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      }).summary,
    ).toMatch(/^There was no capacity to start the task/)
    expect(explainRunTaskFailure({reason: 'RESOURCE:MEMORY'}).summary).toBe(
      'There was no capacity to start the task (RESOURCE:MEMORY).',
    )
    expect(explainRunTaskFailure({reason: 'AGENT'}).summary).toMatch(/agent .* is disconnected/)
    expect(explainRunTaskFailure({reason: 'Odd', detail: 'more'})).toMatchObject({
      summary: 'ECS could not start the task: Odd (more).',
      detail: 'Odd: more',
    })
  })
})
