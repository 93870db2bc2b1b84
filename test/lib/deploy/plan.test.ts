import type {Service} from '@aws-sdk/client-ecs'
import {describe, expect, it} from 'vitest'

import {beatPlan} from '../../../src/lib/deploy/beat.js'
import {diffTaskDefinitions, parseTo} from '../../../src/lib/deploy/plan.js'
import {judgeRollout} from '../../../src/lib/deploy/wait.js'
import {deployment, service, taskDefinition, tdArn} from '../../helpers/ecs.js'

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:production/allthrive/database-AbCdEf'

describe('diffTaskDefinitions', () => {
  it('names the image tag, variables, secret references, cpu and memory that change, never a value', () => {
    const from = taskDefinition(
      'web',
      {
        cpu: '1024',
        memory: '2048',
        containerDefinitions: [
          {
            name: 'web',
            image: 'repo/allthrive:v43',
            environment: [
              {name: 'FEATURE_X', value: 'on-canary-value'},
              {name: 'DJANGO_SETTINGS_MODULE', value: 'config.settings'},
            ],
            secrets: [
              {name: 'DATABASE_URL', valueFrom: `${SECRET}:DATABASE_URL::`},
              {name: 'NEW_KEY', valueFrom: `${SECRET}:NEW_KEY::`},
            ],
          },
        ],
      },
      43,
    )
    const to = taskDefinition(
      'web',
      {
        cpu: '512',
        memory: '2048',
        containerDefinitions: [
          {
            name: 'web',
            image: 'repo/allthrive:v42',
            environment: [
              {name: 'DJANGO_SETTINGS_MODULE', value: 'config.settings'},
              {name: 'OLD_FLAG', value: '1'},
            ],
            secrets: [{name: 'DATABASE_URL', valueFrom: `${SECRET}:DATABASE_URL::`}],
          },
        ],
      },
      42,
    )
    const changes = diffTaskDefinitions(from, to)
    expect(changes).toEqual([
      {what: 'web image', from: 'v43', to: 'v42'},
      {what: 'web variable OLD_FLAG', from: 'absent', to: 'set'},
      {what: 'web variable FEATURE_X', from: 'set', to: 'absent'},
      {what: 'web secret NEW_KEY', from: 'production/allthrive/database-AbCdEf:NEW_KEY', to: 'absent'},
      {what: 'cpu', from: '1024', to: '512'},
    ])
    expect(JSON.stringify(changes)).not.toContain('on-canary-value')
  })

  it('reads --to as a number, family:revision or ARN, and refuses another family', () => {
    expect(parseTo('41', 'production-allthrive-web')).toBe('production-allthrive-web:41')
    expect(parseTo(tdArn('web', 41), 'production-allthrive-web')).toBe(tdArn('web', 41))
    expect(() => parseTo('production-allthrive-celery:3', 'production-allthrive-web')).toThrow(
      /family production-allthrive-celery, not of this service's family/,
    )
    expect(() => parseTo('latest', 'production-allthrive-web')).toThrow(/is not a revision/)
  })
})

describe('beatPlan', () => {
  const beat = (max: number): Service =>
    service('celery-beat', {
      deploymentConfiguration: {
        maximumPercent: max,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: {enable: true, rollback: true},
      },
    })

  it('says when maximumPercent > 100 would run two beats; deploys beat with 100/0, breaker kept', () => {
    const p = beatPlan('celery-beat', beat(200))
    expect(p.deploymentConfiguration).toEqual({
      maximumPercent: 100,
      minimumHealthyPercent: 0,
      deploymentCircuitBreaker: {enable: true, rollback: true},
    })
    expect(p.notes[0]).toMatch(/maximumPercent 200\) would start a second beat/)
    expect(p.notes.join(' ')).toMatch(/scale to 0 .* deploy, then scale back to 1/)
  })

  it('leaves every other service alone', () => {
    expect(beatPlan('web', service('web', {deploymentConfiguration: {maximumPercent: 200}}))).toEqual({notes: []})
  })
})

describe('judgeRollout', () => {
  const target = tdArn('web', 42)
  it('is steady with one completed deployment on the target and every task running', () => {
    expect(judgeRollout(service('web', {deployments: [deployment('web')]}), target)).toEqual({state: 'steady'})
  })

  it('is progressing while two deployments are active', () => {
    expect(
      judgeRollout(
        service('web', {
          deployments: [
            deployment('web', {rolloutState: 'IN_PROGRESS'}),
            deployment('web', {status: 'ACTIVE', taskDefinition: tdArn('web', 43)}),
          ],
        }),
        target,
      ).state,
    ).toBe('progressing')
  })

  it('fails when the rollout failed or ECS rolled back to another revision', () => {
    expect(
      judgeRollout(
        service('web', {
          deployments: [deployment('web', {rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start'})],
        }),
        target,
      ),
    ).toEqual({state: 'failed', reason: 'tasks failed to start'})
    expect(
      judgeRollout(service('web', {deployments: [deployment('web', {taskDefinition: tdArn('web', 43)})]}), target)
        .reason,
    ).toMatch(/rolled the service back to production-allthrive-web:43/)
  })

  it('keeps waiting while the target was never seen (DescribeServices lagging UpdateService)', () => {
    expect(
      judgeRollout(
        service('web', {deployments: [deployment('web', {taskDefinition: tdArn('web', 43)})]}),
        target,
        false,
      ),
    ).toEqual({state: 'progressing'})
  })
})
